// A buffer of BANKS word-interleaved SRAM banks (sram_1r1w each; word a in bank a mod BANKS), as
// `buffers.banks` says. One write and one read a cycle, both to any bank, so banking changes
// nothing a unit sees but the macros a memory compiler is asked for (DEPTH / BANKS words each).
module banked_sram #(
  parameter int WIDTH = 8,
  parameter int DEPTH = 256,
  parameter int BANKS = subbit_config_pkg::BUF_BANKS,
  parameter int ADDR_BITS = DEPTH > 1 ? $clog2(DEPTH) : 1,          // derived: leave them
  parameter int BANK_BITS = BANKS > 1 ? $clog2(BANKS) : 1
) (
  input  logic                 clk,
  input  logic                 wr_en,
  input  logic [ADDR_BITS-1:0] wr_addr,
  input  logic [WIDTH-1:0]     wr_data,
  input  logic                 rd_en,
  input  logic [ADDR_BITS-1:0] rd_addr,
  output logic [WIDTH-1:0]     rd_data
);
  if (BANKS < 1 || (BANKS & (BANKS - 1)) != 0 || DEPTH % BANKS != 0 || DEPTH / BANKS < 2) begin : g_bad_banks
    $error("banked_sram: BANKS must be a power of two dividing DEPTH into banks of at least 2 words");
  end
  localparam int BANK_DEPTH = DEPTH / BANKS;
  localparam int BANK_ADDR_BITS = $clog2(BANK_DEPTH);

  if (BANKS == 1) begin : g_single
    sram_1r1w #(.WIDTH(WIDTH), .DEPTH(DEPTH)) u_bank (.clk, .wr_en, .wr_addr, .wr_data, .rd_en, .rd_addr, .rd_data);
  end else begin : g_banks
    logic [WIDTH-1:0]     bank_data [BANKS];
    logic [BANK_BITS-1:0] rd_bank;  // the bank read last cycle
    always_ff @(posedge clk) if (rd_en) rd_bank <= rd_addr[BANK_BITS-1:0];
    for (genvar b = 0; b < BANKS; b++) begin : g_bank
      sram_1r1w #(.WIDTH(WIDTH), .DEPTH(BANK_DEPTH)) u_bank (
        .clk,
        .wr_en(wr_en && wr_addr[BANK_BITS-1:0] == BANK_BITS'(b)), .wr_addr(wr_addr[BANK_BITS +: BANK_ADDR_BITS]), .wr_data,
        .rd_en(rd_en && rd_addr[BANK_BITS-1:0] == BANK_BITS'(b)), .rd_addr(rd_addr[BANK_BITS +: BANK_ADDR_BITS]),
        .rd_data(bank_data[b]));
    end
    assign rd_data = bank_data[rd_bank];
  end
endmodule
