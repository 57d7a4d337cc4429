// Post-processing: LANES requantization lanes (requant.sv) behind a pooling chain. One beat carries
// up to LANES elements (conv accumulators, residual or requant inputs) or LANES window reads
// (pooling: each read's `last` flag ends a window; windows run across beats). Per lane the owner
// supplies the requant operands, so one datapath serves every opcode:
//   conv:     acc            * mult[c] + bias[c]
//   add:      a              * mult_a  + (bias + b * mult_b)
//   requant:  x              * mult[c] + bias[c]
//   avg pool: window sum     * mult_a
//   max pool: window maximum * 1, shift 0, to the input's 8-bit type (the value passes unchanged)
// A beat yields its outputs in lane order with a mask; out_index counts the outputs before it.
// Reference: post_*_tile (models/accel/compute.cpp), subbit::requantize.
module post_processor #(
  parameter int LANES = subbit_config_pkg::PE_COLS,
  parameter int ACC_BITS = subbit_config_pkg::ACC_BITS,
  parameter int INDEX_BITS = 24
) (
  input  logic                       clk,
  input  logic                       rst_n,      // synchronous, active low
  input  logic                       in_valid,
  output logic                       in_ready,
  input  logic                       first,      // the command's first beat: counts and windows restart
  input  logic                       pool_max,
  input  logic                       pool_avg,
  input  logic [LANES*ACC_BITS-1:0]  x,          // lane l at [l*ACC_BITS +: ACC_BITS]
  input  logic [LANES*32-1:0]        mult,
  input  logic [LANES*64-1:0]        bias,
  input  logic [LANES-1:0]           valid,      // lane holds an element (or a window read)
  input  logic [LANES-1:0]           last,       // pooling: the read ends its window
  input  logic [5:0]                 shift,
  input  logic                       relu,
  input  logic [3:0]                 out_bits,
  input  logic                       out_signed,
  output logic                       out_valid,
  input  logic                       out_ready,
  output logic [LANES*8-1:0]         out_data,
  output logic [LANES-1:0]           out_mask,
  output logic [INDEX_BITS-1:0]      out_index
);
  if (LANES < 1) begin : g_bad_lanes
    $error("post_processor: need LANES >= 1");
  end
  wire pooling = pool_max || pool_avg;

  // Pooling chain: a window's running maximum or sum flows lane to lane and beat to beat.
  logic signed [ACC_BITS-1:0] carry_value, value [LANES];
  logic                       carry_start;
  logic [LANES-1:0]           emit;
  logic [INDEX_BITS-1:0]      emitted;  // outputs before this beat
  always_comb begin
    logic signed [ACC_BITS-1:0] running, v;
    logic start;
    running = first ? '0 : carry_value;
    start = first ? 1'b1 : carry_start;
    for (int l = 0; l < LANES; l++) begin
      v = x[l*ACC_BITS +: ACC_BITS];
      if (!pooling) begin
        value[l] = v;
        emit[l] = valid[l];
      end else begin
        if (valid[l]) begin
          if (start) running = v;
          else if (pool_max) running = v > running ? v : running;
          else running = running + v;
          start = last[l];
        end
        value[l] = running;
        emit[l] = valid[l] && last[l];
      end
    end
    next_carry_value = running;
    next_carry_start = start;
  end
  logic signed [ACC_BITS-1:0] next_carry_value;
  logic                       next_carry_start;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      carry_value <= '0;
      carry_start <= 1'b1;
      emitted <= '0;
    end else if (in_valid && in_ready) begin
      carry_value <= next_carry_value;
      carry_start <= next_carry_start;
      emitted <= (first ? '0 : emitted) + INDEX_BITS'($countones(emit));
    end
  end

  logic [LANES-1:0] lane_ready;
  for (genvar l = 0; l < LANES; l++) begin : g_lane
    logic lane_valid;
    requant #(.ACC_BITS(ACC_BITS)) u_requant (
      .clk, .rst_n, .in_valid, .in_ready(lane_ready[l]),
      .acc(value[l]), .mult(mult[l*32 +: 32]), .bias(bias[l*64 +: 64]),
      .shift, .relu, .out_bits, .out_signed,
      .out_valid(lane_valid), .out_ready, .out(out_data[l*8 +: 8]));
    if (l == 0) begin : g_first
      assign out_valid = lane_valid;
    end else begin : g_other
      logic unused_valid;
      assign unused_valid = lane_valid;  // every lane moves in step with lane 0
    end
  end
  assign in_ready = lane_ready[0];

  logic side_ready, side_valid;
  pipe_stage #(.WIDTH(LANES + INDEX_BITS)) u_side (
    .clk, .rst_n, .in_valid, .in_ready(side_ready), .in_data({emit, first ? INDEX_BITS'(0) : emitted}),
    .out_valid(side_valid), .out_ready, .out_data({out_mask, out_index}));
  logic unused_ready;
  assign unused_ready = ^{lane_ready, side_ready, side_valid};
endmodule
