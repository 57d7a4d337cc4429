// The PE array: ROWS x COLS binary-code PEs (pe.sv) and, when the config has them, one pipelined
// adder tree per column (the reduction-parallel dataflow; docs/accelerator.md, "Dataflow").
// Operands arrive per PE, so the owner decides the wiring of the dataflow a layer uses:
//  - output-parallel: each PE row holds positions (ACT_LANES groups across the columns), each
//    column a channel; a weight is broadcast down its column, `partial` holds the outputs;
//  - reduction-parallel: each row holds one element of a reduction chunk, each column a channel;
//    weights stay in the PEs, positions stream, and `col_sum` is the column's sum TREE_LEVELS + 1
//    cycles after its operands (product register, then one register per tree level).
module pe_array #(
  parameter int ROWS = subbit_config_pkg::PE_ROWS,
  parameter int COLS = subbit_config_pkg::PE_COLS,
  parameter int ACC_BITS = subbit_config_pkg::ACC_BITS,
  parameter bit REDUCTION_TREE = subbit_config_pkg::REDUCTION_TREE != 0,
  parameter int TREE_LEVELS = ROWS > 1 ? $clog2(ROWS) : 0  // derived: leave it
) (
  input  logic                           clk,
  input  logic                           rst_n,       // synchronous, active low
  input  logic                           mac,
  input  logic                           drain,
  input  logic                           int8_mode,
  input  logic [ROWS*COLS*9-1:0]         act,         // PE (r, c) at [(r*COLS + c)*9 +: 9]
  input  logic [ROWS*COLS*8-1:0]         weight,      // PE (r, c) at [(r*COLS + c)*8 +: 8]
  output logic [ROWS*COLS*ACC_BITS-1:0]  partial,     // PE (r, c) at [(r*COLS + c)*ACC_BITS +: ACC_BITS]
  output logic [COLS*ACC_BITS-1:0]       col_sum      // column c at [c*ACC_BITS +: ACC_BITS]
);
  if (ROWS < 1 || COLS < 1 || ACC_BITS < 18 || ACC_BITS > 32) begin : g_bad_shape
    $error("pe_array: need ROWS, COLS >= 1 and 18 <= ACC_BITS <= 32");
  end

  logic signed [16:0] product [ROWS*COLS];
  for (genvar r = 0; r < ROWS; r++) begin : g_row
    for (genvar c = 0; c < COLS; c++) begin : g_pe
      localparam int I = r*COLS + c;
      pe #(.ACC_BITS(ACC_BITS)) u_pe (
        .clk, .rst_n, .mac, .drain, .int8_mode,
        .a(act[I*9 +: 9]), .w(weight[I*8 +: 8]),
        .partial(partial[I*ACC_BITS +: ACC_BITS]), .product(product[I]));
    end
  end

  if (REDUCTION_TREE) begin : g_tree
    localparam int LEAVES = 1 << TREE_LEVELS;
    for (genvar c = 0; c < COLS; c++) begin : g_col
      logic signed [ACC_BITS-1:0] leaf [LEAVES];  // the column's product registers, zero-padded
      always_comb begin
        for (int r = 0; r < LEAVES; r++) leaf[r] = r < ROWS ? ACC_BITS'(product[r*COLS + c]) : '0;
      end
      if (TREE_LEVELS == 0) begin : g_single
        assign col_sum[c*ACC_BITS +: ACC_BITS] = leaf[0];
      end else begin : g_levels
        // sums[l] is level l + 1 of the tree: LEAVES >> (l + 1) registered sums
        logic signed [ACC_BITS-1:0] sums [TREE_LEVELS][LEAVES/2];
        always_ff @(posedge clk) begin
          for (int n = 0; n < LEAVES/2; n++) sums[0][n] <= leaf[2*n] + leaf[2*n+1];
          for (int l = 1; l < TREE_LEVELS; l++)
            for (int n = 0; n < (LEAVES >> (l+1)); n++) sums[l][n] <= sums[l-1][2*n] + sums[l-1][2*n+1];
        end
        assign col_sum[c*ACC_BITS +: ACC_BITS] = sums[TREE_LEVELS-1][0];
      end
    end
  end else begin : g_no_tree
    assign col_sum = '0;
    logic unused_product;
    always_comb begin
      unused_product = 1'b0;
      for (int i = 0; i < ROWS*COLS; i++) unused_product = unused_product ^ (^product[i]);
    end
  end
endmodule
