// One binary-code processing element. Its multiplier is a sign select for weights in {-1, 0, +1}
// (binary and multi-plane codes, ternary and signed-binary after zero-skipping; α is applied once
// per output, outside the PE) and an 8 x 9-bit multiply in int8 mode (first and last layers).
// Output-parallel: `partial` accumulates one output's pass over the reduction; `drain` hands it on
// (the array's owner reads `partial` in that cycle) and clears it. Reduction-parallel: `product`
// is registered for the column's adder tree. Reference: pe_conv_tile (models/accel/compute.cpp).
module pe #(
  parameter int ACC_BITS = subbit_config_pkg::ACC_BITS
) (
  input  logic                       clk,
  input  logic                       rst_n,      // synchronous, active low
  input  logic                       mac,        // partial += a * w
  input  logic                       drain,      // partial <= 0 (its value is read this cycle)
  input  logic                       int8_mode,  // w is an int8 value, not a {-1, 0, +1} code
  input  logic signed [8:0]          a,          // activation (unsigned 8-bit or signed, sign-extended)
  input  logic signed [7:0]          w,
  output logic signed [ACC_BITS-1:0] partial,
  output logic signed [16:0]         product     // a * w of the previous cycle
);
  logic signed [16:0] p, a_wide;
  assign a_wide = 17'(a);
  always_comb begin
    if (int8_mode) p = a_wide * 17'(w);
    else if (w == 8'sd0) p = '0;
    else if (w[7]) p = -a_wide;
    else p = a_wide;
  end

  always_ff @(posedge clk) begin
    if (!rst_n || drain) partial <= '0;
    else if (mac) partial <= partial + ACC_BITS'(p);
  end
  always_ff @(posedge clk) product <= p;
endmodule
