// Requantization of one accumulator, docs/numerics.md section 4: r = (acc * mult + bias +
// 2^(shift-1)) >> shift (round half up, arithmetic shift; shift 0 adds nothing), then ReLU, then
// saturation to the output type (bits 1..8, signed or unsigned; signed 1-bit is the sign, +1 or
// -1). The post-processing unit has PE_COLS of these. One register stage (pipe_stage), valid/ready.
// Reference: subbit::requantize (software/quant/numerics.h).
module requant #(
  parameter int ACC_BITS = subbit_config_pkg::ACC_BITS
) (
  input  logic                       clk,
  input  logic                       rst_n,     // synchronous, active low
  input  logic                       in_valid,
  output logic                       in_ready,
  input  logic signed [ACC_BITS-1:0] acc,
  input  logic signed [31:0]         mult,
  input  logic signed [63:0]         bias,      // |bias| < 2^61 (the loader checks)
  input  logic [5:0]                 shift,     // 0..62
  input  logic                       relu,
  input  logic [3:0]                 out_bits,  // 1..8
  input  logic                       out_signed,
  output logic                       out_valid,
  input  logic                       out_ready,
  output logic [7:0]                 out        // the value's low 8 bits (two's complement)
);
  if (ACC_BITS < 8 || ACC_BITS > 32) begin : g_bad_acc
    $error("requant: ACC_BITS must be 8..32 (acc * mult + bias must fit 64 bits)");
  end

  // |acc * mult| <= 2^62 and |bias| + 2^61 < 2^62: the sum fits a signed 64-bit word.
  logic signed [63:0] product, rounded, shifted, relued;
  logic signed [63:0] lo, hi;
  logic [7:0] value;
  always_comb begin
    product = 64'(acc) * 64'(mult);
    rounded = product + bias + (shift == 6'd0 ? 64'sd0 : (64'sd1 <<< (shift - 6'd1)));
    shifted = rounded >>> shift;
    relued = (relu && shifted < 0) ? 64'sd0 : shifted;
    if (out_signed) begin
      hi = (64'sd1 <<< (out_bits - 4'd1)) - 64'sd1;
      lo = -(64'sd1 <<< (out_bits - 4'd1));
    end else begin
      hi = (64'sd1 <<< out_bits) - 64'sd1;
      lo = 64'sd0;
    end
    if (out_signed && out_bits == 4'd1) value = relued >= 0 ? 8'h01 : 8'hFF;
    else if (relued > hi) value = hi[7:0];
    else if (relued < lo) value = lo[7:0];
    else value = relued[7:0];
  end

  pipe_stage #(.WIDTH(8)) u_out (
    .clk, .rst_n, .in_valid, .in_ready, .in_data(value), .out_valid, .out_ready, .out_data(out));
endmodule
