// Behavioural simple dual-port SRAM: one write port, one read port with a registered read (the
// data of the address presented in cycle t is on rd_data in cycle t+1), as a synchronous SRAM macro
// behaves. Swap in a memory macro of the same shape here; nothing else reads the array.
module sram_1r1w #(
  parameter int WIDTH = 8,
  parameter int DEPTH = 16,
  parameter int ADDR_BITS = DEPTH > 1 ? $clog2(DEPTH) : 1  // derived: leave it
) (
  input  logic                 clk,
  input  logic                 wr_en,
  input  logic [ADDR_BITS-1:0] wr_addr,
  input  logic [WIDTH-1:0]     wr_data,
  input  logic                 rd_en,
  input  logic [ADDR_BITS-1:0] rd_addr,
  output logic [WIDTH-1:0]     rd_data
);
  if (WIDTH < 1 || DEPTH < 2) begin : g_bad_shape
    $error("sram_1r1w: need WIDTH >= 1 and DEPTH >= 2");
  end
  logic [WIDTH-1:0] mem [DEPTH];
  always_ff @(posedge clk) begin
    if (wr_en) mem[wr_addr] <= wr_data;
    if (rd_en) rd_data <= mem[rd_addr];
  end
endmodule
