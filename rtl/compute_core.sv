// The compute core: the PE array (pe_array.sv) and post-processing (post_processor.sv) running one
// tile from their buffers. Three valid/ready streams connect it to the rest of the chip:
//   command  one tile: opcode, dataflow, shape, weight code, numeric fields (docs/rtl.md lists them);
//   load     (target, word address, data) words into the buffers, accepted while the core is idle;
//   store    output bytes, LANES per beat with a mask; st_index counts the tile's outputs before it.
// `post_start` marks the cycle the PE array has finished and post-processing starts: a command
// accepted in cycle c0 takes post_start - c0 PE cycles, and post-processing ends with the last
// store handshake. Those are the cycles the TLM model's pe_tile_timing and post-processor predict.
//
// What the loader writes (the transactor today, the command processor and DMA next):
//   WBUF   output-parallel: per (pass, column chunk) `count` words of COLS lanes
//          {k index (KIDX_BITS), weight (8)}, one word per reduction step (zero-skipped steps
//          are left out); reduction-parallel: per (pass, channel chunk, reduction chunk) `count`
//          words, each ROWS / wbits whole PE rows of COLS weight codes (wbits 1: +1/-1, 2: ternary
//          {01 +1, 11 -1, else 0}, 8: int8).
//   WDIR   per weight block {count (16), base word (24)}.
//   SCALE  per (pass, column chunk) COLS 16-bit scales (α, 2α for zero-skipped ternary, 1 for int8).
//   MULT / BIAS  requant multiplier and bias per output channel.
//   ABUF   activation operands, AWB bytes a word: output-parallel word (position group * K + k),
//          byte = position lane; reduction-parallel word (reduction chunk * P + position), byte =
//          PE row; post-processing word = LANES elements (add: operand b from word ceil(n / LANES)).
//   PFLAG  pooling: LANES `last` flags per ABUF word.
// The im2col address generation that lays the operands out is the loader's.
module compute_core #(
  parameter int ROWS = subbit_config_pkg::PE_ROWS,
  parameter int COLS = subbit_config_pkg::PE_COLS,
  parameter int ACT_LANES = subbit_config_pkg::ACT_LANES,
  parameter int ACC_BITS = subbit_config_pkg::ACC_BITS,
  parameter bit REDUCTION_TREE = subbit_config_pkg::REDUCTION_TREE != 0,
  parameter int KIDX_BITS = 16,
  parameter int WBUF_WORDS = subbit_config_pkg::CORE_WBUF_WORDS,
  parameter int ABUF_BYTES = subbit_config_pkg::CORE_ABUF_BYTES,
  parameter int ACC_ENTRIES = subbit_config_pkg::CORE_ACC_ENTRIES,
  parameter int DIR_ENTRIES = 8192,
  parameter int SCALE_WORDS = 2048,
  parameter int CHANNELS = 4096,
  // derived: leave them
  parameter int LANES = COLS,
  parameter int AWB = ROWS * ACT_LANES > COLS ? ROWS * ACT_LANES : COLS,
  parameter int OPW = 8 + KIDX_BITS,
  parameter int WB_BITS = COLS * OPW > ROWS * COLS ? COLS * OPW : ROWS * COLS,
  parameter int LD_BITS = WB_BITS > AWB * 8 ? WB_BITS : AWB * 8,
  parameter int ABUF_WORDS = ABUF_BYTES / AWB,
  parameter int TREE_LEVELS = ROWS > 1 ? $clog2(ROWS) : 0
) (
  input  logic                 clk,
  input  logic                 rst_n,            // synchronous, active low
  // command stream
  input  logic                 cmd_valid,
  output logic                 cmd_ready,
  input  logic [2:0]           cmd_op,           // 0 conv, 1 max pool, 2 avg pool, 3 add, 4 requant
  input  logic                 cmd_dataflow,     // 0 output-parallel, 1 reduction-parallel
  input  logic [3:0]           cmd_group_shift,  // output-parallel: log2 of the column groups
  input  logic [23:0]          cmd_k,            // reduction length
  input  logic [23:0]          cmd_positions,    // conv: output positions of the tile
  input  logic [15:0]          cmd_channels,     // conv: output channels of the tile
  input  logic [3:0]           cmd_passes,
  input  logic [1:0]           cmd_wcode,        // 0 sign bit, 1 ternary code, 2 int8
  input  logic                 cmd_in_signed,
  input  logic                 cmd_in2_signed,
  input  logic                 cmd_relu,
  input  logic [5:0]           cmd_shift,
  input  logic [3:0]           cmd_out_bits,
  input  logic                 cmd_out_signed,
  input  logic [31:0]          cmd_mult_a,
  input  logic [31:0]          cmd_mult_b,
  input  logic [63:0]          cmd_bias,
  input  logic                 cmd_per_tensor,   // requant: one multiplier and bias for all channels
  input  logic [23:0]          cmd_count,        // post-processing: elements (pooling: window reads)
  input  logic [23:0]          cmd_plane,        // requant: elements per channel
  // load stream
  input  logic                 ld_valid,
  output logic                 ld_ready,
  input  logic [2:0]           ld_target,        // 0 WBUF, 1 WDIR, 2 SCALE, 3 MULT, 4 BIAS, 5 ABUF, 6 PFLAG
  input  logic [23:0]          ld_addr,
  input  logic [LD_BITS-1:0]   ld_data,
  // store stream
  output logic                 st_valid,
  input  logic                 st_ready,
  output logic [LANES*8-1:0]   st_data,
  output logic [LANES-1:0]     st_mask,
  output logic [23:0]          st_index,
  output logic                 post_start
);
  if (ROWS < 1 || COLS < 1 || (ROWS % 8) != 0) begin : g_bad_rows
    $error("compute_core: ROWS must be a multiple of 8 (a weight word holds whole PE rows of int8 codes)");
  end
  if (ACT_LANES < 1 || (COLS % ACT_LANES) != 0) begin : g_bad_lanes
    $error("compute_core: COLS must be a multiple of ACT_LANES");
  end

  localparam int WB_AW = $clog2(WBUF_WORDS);
  localparam logic [2:0] OP_CONV = 3'd0, OP_MAX = 3'd1, OP_AVG = 3'd2, OP_ADD = 3'd3, OP_REQUANT = 3'd4;
  localparam logic [2:0] T_WBUF = 3'd0, T_WDIR = 3'd1, T_SCALE = 3'd2, T_MULT = 3'd3, T_BIAS = 3'd4, T_ABUF = 3'd5, T_PFLAG = 3'd6;

  typedef enum logic [2:0] { IDLE, PE_LOAD0, PE_RUN, PE_DRAIN, POST } state_t;
  state_t state;

  // ------------------------------------------------------------------ buffers
  logic              wbuf_rd_en;
  logic [WB_AW-1:0]  wbuf_rd_addr;
  logic [WB_BITS-1:0] wbuf_word;
  banked_sram #(.WIDTH(WB_BITS), .DEPTH(WBUF_WORDS), .BANKS(subbit_config_pkg::BUF_BANKS)) u_weight_buffer (
    .clk, .wr_en(ld_valid && ld_ready && ld_target == T_WBUF), .wr_addr(WB_AW'(ld_addr)), .wr_data(ld_data[WB_BITS-1:0]),
    .rd_en(wbuf_rd_en), .rd_addr(wbuf_rd_addr), .rd_data(wbuf_word));

  // Small tables and the operand and accumulator buffers are read at many ports a cycle (one per
  // PE column when zero-skipping, one per lane in post-processing): register files here.
  logic [39:0]                dir_mem   [DIR_ENTRIES];
  logic [COLS*16-1:0]         scale_mem [SCALE_WORDS];
  logic [31:0]                mult_mem  [CHANNELS];
  logic [63:0]                bias_mem  [CHANNELS];
  logic [AWB*8-1:0]           abuf      [ABUF_WORDS];  // byte b of word w: abuf[w][b*8 +: 8]
  logic [LANES-1:0]           pflag_mem [ABUF_WORDS];
  logic signed [ACC_BITS-1:0] acc_mem   [ACC_ENTRIES];

  assign ld_ready = state == IDLE;
  always_ff @(posedge clk) begin
    if (ld_valid && ld_ready) begin
      case (ld_target)
        T_WDIR:  dir_mem[$clog2(DIR_ENTRIES)'(ld_addr)] <= ld_data[39:0];
        T_SCALE: scale_mem[$clog2(SCALE_WORDS)'(ld_addr)] <= ld_data[COLS*16-1:0];
        T_MULT:  mult_mem[$clog2(CHANNELS)'(ld_addr)] <= ld_data[31:0];
        T_BIAS:  bias_mem[$clog2(CHANNELS)'(ld_addr)] <= ld_data[63:0];
        T_ABUF:  abuf[$clog2(ABUF_WORDS)'(ld_addr)] <= ld_data[AWB*8-1:0];
        T_PFLAG: pflag_mem[$clog2(ABUF_WORDS)'(ld_addr)] <= ld_data[LANES-1:0];
        default: ;
      endcase
    end
  end

  // ------------------------------------------------------------------ the command
  logic [2:0]  op;
  logic        dataflow, in_signed, in2_signed, relu, out_signed, per_tensor;
  logic [1:0]  wcode;
  logic [5:0]  shift;
  logic [3:0]  out_bits;
  logic [31:0] mult_a, mult_b;
  logic [63:0] bias;
  logic [31:0] k, positions, channels, passes, count, plane;
  logic [31:0] group_shift, lc, lr, nchunks, npg, nj, nk, nblocks, rows_per_word;

  function automatic logic [31:0] cdiv(logic [31:0] a, logic [31:0] b);
    cdiv = (a + b - 1) / b;
  endfunction
  function automatic logic signed [8:0] act_value(logic [7:0] v, logic is_signed);
    act_value = is_signed ? {v[7], v} : {1'b0, v};
  endfunction

  wire cmd_fire = cmd_valid && cmd_ready;
  assign cmd_ready = state == IDLE;
  always_ff @(posedge clk) begin
    if (cmd_fire) begin
      op <= cmd_op;
      dataflow <= cmd_dataflow;
      in_signed <= cmd_in_signed;
      in2_signed <= cmd_in2_signed;
      relu <= cmd_relu;
      out_signed <= cmd_out_signed;
      per_tensor <= cmd_per_tensor;
      wcode <= cmd_wcode;
      shift <= cmd_shift;
      out_bits <= cmd_out_bits;
      mult_a <= cmd_mult_a;
      mult_b <= cmd_mult_b;
      bias <= cmd_bias;
      k <= 32'(cmd_k);
      positions <= 32'(cmd_positions);
      channels <= 32'(cmd_channels);
      passes <= 32'(cmd_passes);
      count <= 32'(cmd_count);
      plane <= 32'(cmd_plane);
      group_shift <= 32'(cmd_group_shift);
      lc <= COLS >> cmd_group_shift;
      lr <= ROWS << cmd_group_shift;
      nchunks <= cdiv(32'(cmd_channels), COLS >> cmd_group_shift);
      npg <= cdiv(32'(cmd_positions), ROWS << cmd_group_shift);
      nj <= cdiv(32'(cmd_channels), COLS);
      nk <= cdiv(32'(cmd_k), ROWS);
      nblocks <= 32'(cmd_passes) * cdiv(32'(cmd_channels), COLS) * cdiv(32'(cmd_k), ROWS);
      rows_per_word <= cmd_wcode == 2'd2 ? ROWS / 8 : cmd_wcode == 2'd1 ? ROWS / 2 : ROWS;
    end
  end

  // ------------------------------------------------------------------ PE sequencer
  // A token enters S1 the cycle after it is issued, with the weight word it read. Output-parallel:
  // S1 feeds the PEs (MAC) or hands their partials on (drain); S2 adds them, times the scale, into
  // the accumulators. Reduction-parallel: S1 feeds the PEs or loads a shadow weight bank; the
  // column sums reach the accumulators TREE_LEVELS + 1 cycles later.
  logic [31:0] pass, chunk, pg, step, blk, i_blk, kc_now, j_now;
  logic        bank;  // reduction-parallel: the weight bank the current block reads
  logic [39:0] dir_op, dir_cur, dir_next;
  assign dir_op = dir_mem[pass * nchunks + chunk];
  assign dir_cur = dir_mem[blk];
  assign dir_next = blk + 1 < nblocks ? dir_mem[blk + 1] : 40'd0;
  logic [31:0] steps_op, reload_next, block_cycles;
  assign steps_op = 32'(dir_op[39:24]);
  assign reload_next = 32'(dir_next[39:24]);
  assign block_cycles = positions > reload_next ? positions : reload_next;

  // issue: the token this cycle
  logic        is_mac, is_drain, is_pos, is_load, is_first;
  logic [31:0] is_pg, is_chunk, is_pass, is_p, is_kc, is_load_row0;
  logic        is_bank, is_load_bank;
  logic        seq_last;  // this cycle issues the tile's last token
  always_comb begin
    is_mac = 1'b0; is_drain = 1'b0; is_pos = 1'b0; is_load = 1'b0; is_first = 1'b0;
    is_pg = pg; is_chunk = chunk; is_pass = pass; is_p = 0; is_kc = kc_now; is_load_row0 = 0;
    is_bank = bank; is_load_bank = !bank;
    wbuf_rd_en = 1'b0; wbuf_rd_addr = '0; seq_last = 1'b0;
    if (state == PE_LOAD0) begin
      is_load = 1'b1; is_load_bank = 1'b0;
      is_load_row0 = i_blk * rows_per_word;
      wbuf_rd_en = 1'b1; wbuf_rd_addr = WB_AW'(32'(dir_cur[23:0]) + i_blk);
    end else if (state == PE_RUN && !dataflow) begin
      if (step < steps_op) begin
        is_mac = 1'b1;
        wbuf_rd_en = 1'b1; wbuf_rd_addr = WB_AW'(32'(dir_op[23:0]) + step);
      end else begin
        is_drain = 1'b1;
        is_first = pass == 0;
        seq_last = pg + 1 == npg && chunk + 1 == nchunks && pass + 1 == passes;
      end
    end else if (state == PE_RUN) begin
      is_pos = i_blk < positions;
      is_p = i_blk;
      is_first = kc_now == 0 && pass == 0;
      if (i_blk < reload_next) begin
        is_load = 1'b1;
        is_load_row0 = i_blk * rows_per_word;
        wbuf_rd_en = 1'b1; wbuf_rd_addr = WB_AW'(32'(dir_next[23:0]) + i_blk);
      end
      seq_last = i_blk + 1 == block_cycles && blk + 1 == nblocks;
    end
  end

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      state <= IDLE;
    end else begin
      case (state)
        IDLE: if (cmd_fire) state <= cmd_op == OP_CONV ? (cmd_dataflow ? PE_LOAD0 : PE_RUN) : POST;
        PE_LOAD0: if (i_blk + 1 == 32'(dir_cur[39:24])) state <= PE_RUN;
        PE_RUN: if (seq_last) state <= PE_DRAIN;
        PE_DRAIN: if (pe_last_stage_only) state <= POST;
        POST: if (st_valid && st_ready && beats_stored + 1 == beats) state <= IDLE;
        default: state <= IDLE;
      endcase
    end
  end

  // counters
  always_ff @(posedge clk) begin
    if (state == IDLE) begin
      pass <= 0; chunk <= 0; pg <= 0; step <= 0; blk <= 0; i_blk <= 0; kc_now <= 0; j_now <= 0; bank <= 1'b0;
    end else if (state == PE_LOAD0) begin
      i_blk <= i_blk + 1 == 32'(dir_cur[39:24]) ? 0 : i_blk + 1;
    end else if (state == PE_RUN && !dataflow) begin
      if (is_mac) begin
        step <= step + 1;
      end else begin
        step <= 0;
        if (pg + 1 < npg) pg <= pg + 1;
        else begin
          pg <= 0;
          if (chunk + 1 < nchunks) chunk <= chunk + 1;
          else begin chunk <= 0; pass <= pass + 1; end
        end
      end
    end else if (state == PE_RUN) begin
      if (i_blk + 1 < block_cycles) i_blk <= i_blk + 1;
      else begin
        i_blk <= 0;
        blk <= blk + 1;
        bank <= !bank;
        if (kc_now + 1 < nk) kc_now <= kc_now + 1;
        else begin
          kc_now <= 0;
          if (j_now + 1 < nj) j_now <= j_now + 1;
          else begin j_now <= 0; pass <= pass + 1; end
        end
      end
    end
  end

  // S1
  logic        s1_mac, s1_drain, s1_pos, s1_load, s1_first, s1_bank, s1_load_bank;
  logic [31:0] s1_pg, s1_chunk, s1_pass, s1_p, s1_kc, s1_j, s1_load_row0;
  always_ff @(posedge clk) begin
    if (!rst_n) begin
      s1_mac <= 1'b0; s1_drain <= 1'b0; s1_pos <= 1'b0; s1_load <= 1'b0;
    end else begin
      s1_mac <= is_mac; s1_drain <= is_drain; s1_pos <= is_pos; s1_load <= is_load;
    end
    s1_first <= is_first; s1_bank <= is_bank; s1_load_bank <= is_load_bank;
    s1_pg <= is_pg; s1_chunk <= is_chunk; s1_pass <= is_pass; s1_p <= is_p; s1_kc <= is_kc; s1_j <= j_now;
    s1_load_row0 <= is_load_row0;
  end

  // PE operands in S1
  logic [ROWS*COLS*9-1:0] pe_act;
  logic [ROWS*COLS*8-1:0] pe_weight;
  logic [ROWS*COLS*ACC_BITS-1:0] pe_partial;
  logic [COLS*ACC_BITS-1:0] pe_col_sum;
  logic [ROWS*COLS*8-1:0] wbank [2];  // reduction-parallel: active and shadow weights, PE (r, c) at (r*COLS + c)*8
  logic [31:0] kr;  // reduction-parallel: rows holding elements of this chunk
  assign kr = k - s1_kc * ROWS < ROWS ? k - s1_kc * ROWS : ROWS;
  always_comb begin
    for (int r = 0; r < ROWS; r++)
      for (int c = 0; c < COLS; c++) begin
        logic [31:0] g, ci, lane, kidx;
        logic [7:0] a;
        g = c / lc;
        ci = c % lc;
        lane = r * (1 << group_shift) + g;
        kidx = 32'(wbuf_word[ci*OPW + 8 +: KIDX_BITS]);
        if (!dataflow) begin
          a = abuf[s1_pg * k + kidx][lane*8 +: 8];
          pe_weight[(r*COLS + c)*8 +: 8] = wbuf_word[ci*OPW +: 8];
        end else begin
          a = r < kr ? abuf[s1_kc * positions + s1_p][r*8 +: 8] : 8'd0;
          pe_weight[(r*COLS + c)*8 +: 8] = wbank[s1_bank][(r*COLS + c)*8 +: 8];
        end
        pe_act[(r*COLS + c)*9 +: 9] = act_value(a, in_signed);
      end
  end

  pe_array #(.ROWS(ROWS), .COLS(COLS), .ACC_BITS(ACC_BITS), .REDUCTION_TREE(REDUCTION_TREE)) u_pe_array (
    .clk, .rst_n, .mac(s1_mac), .drain(s1_drain), .int8_mode(wcode == 2'd2),
    .act(pe_act), .weight(pe_weight), .partial(pe_partial), .col_sum(pe_col_sum));

  // Reduction-parallel shadow loads: a weight word holds rows_per_word whole PE rows.
  logic [ROWS*COLS*8-1:0] loaded;
  always_comb begin
    loaded = s1_load_bank ? wbank[1] : wbank[0];
    for (int rr = 0; rr < ROWS; rr++)
      for (int c = 0; c < COLS; c++) begin
        logic [31:0] row;
        logic [1:0] code2;
        row = s1_load_row0 + rr;
        code2 = wbuf_word[(rr*COLS + c)*2 % WB_BITS +: 2];
        if (rr < rows_per_word && row < ROWS) begin
          case (wcode)
            2'd0: loaded[(row*COLS + c)*8 +: 8] = wbuf_word[rr*COLS + c] ? 8'd1 : 8'hFF;
            2'd1: loaded[(row*COLS + c)*8 +: 8] = code2 == 2'b01 ? 8'd1 : code2 == 2'b11 ? 8'hFF : 8'd0;
            default: loaded[(row*COLS + c)*8 +: 8] = wbuf_word[(rr*COLS + c)*8 % WB_BITS +: 8];
          endcase
        end
      end
  end
  always_ff @(posedge clk) begin
    if (s1_load) wbank[s1_load_bank] <= loaded;
  end

  // S2 (output-parallel): the drained partials
  logic        s2_drain, s2_first;
  logic [31:0] s2_pg, s2_chunk, s2_pass;
  logic [ROWS*COLS*ACC_BITS-1:0] drained;
  always_ff @(posedge clk) begin
    if (!rst_n) s2_drain <= 1'b0;
    else s2_drain <= s1_drain;
    s2_first <= s1_first; s2_pg <= s1_pg; s2_chunk <= s1_chunk; s2_pass <= s1_pass;
    if (s1_drain) drained <= pe_partial;
  end

  // Reduction-parallel token delay line, aligned with the column sums
  logic        rp_valid [TREE_LEVELS+1];
  logic        rp_first [TREE_LEVELS+1];
  logic [31:0] rp_p [TREE_LEVELS+1], rp_j [TREE_LEVELS+1], rp_pass [TREE_LEVELS+1];
  always_ff @(posedge clk) begin
    for (int d = 0; d <= TREE_LEVELS; d++) begin
      if (!rst_n) rp_valid[d] <= 1'b0;
      else rp_valid[d] <= d == 0 ? s1_pos : rp_valid[d-1];
      rp_first[d] <= d == 0 ? s1_first : rp_first[d-1];
      rp_p[d] <= d == 0 ? s1_p : rp_p[d-1];
      rp_j[d] <= d == 0 ? s1_j : rp_j[d-1];
      rp_pass[d] <= d == 0 ? s1_pass : rp_pass[d-1];
    end
  end
  wire rp_write = rp_valid[TREE_LEVELS];

  // Accumulator update
  logic [COLS*16-1:0] scale_op, scale_rp;
  assign scale_op = scale_mem[s2_pass * nchunks + s2_chunk];
  assign scale_rp = scale_mem[rp_pass[TREE_LEVELS] * nj + rp_j[TREE_LEVELS]];
  // Blocking writes: every accumulator is written at most once a cycle and nothing else reads the
  // buffer while the PE array runs (post-processing reads it afterwards), so they are safe, and
  // the loops need no unrolling (ROWS x COLS writes on the large preset).
  /* verilator lint_off BLKSEQ */
  always_ff @(posedge clk) begin
    if (s2_drain) begin
      for (int r = 0; r < ROWS; r++)
        for (int c = 0; c < COLS; c++) begin
          logic [31:0] g, ci, p, o;
          g = c / lc;
          ci = c % lc;
          p = s2_pg * lr + r * (1 << group_shift) + g;
          o = s2_chunk * lc + ci;
          if (ci < lc && p < positions && o < channels)
            acc_mem[o * positions + p] = (s2_first ? '0 : acc_mem[o * positions + p]) +
                                          $signed(drained[(r*COLS + c)*ACC_BITS +: ACC_BITS]) * ACC_BITS'($signed(scale_op[ci*16 +: 16]));
        end
    end
    if (rp_write) begin
      for (int c = 0; c < COLS; c++) begin
        logic [31:0] o;
        o = rp_j[TREE_LEVELS] * COLS + c;
        if (o < channels)
          acc_mem[o * positions + rp_p[TREE_LEVELS]] = (rp_first[TREE_LEVELS] ? '0 : acc_mem[o * positions + rp_p[TREE_LEVELS]]) +
              $signed(pe_col_sum[c*ACC_BITS +: ACC_BITS]) * ACC_BITS'($signed(scale_rp[c*16 +: 16]));
      end
    end
  end
  /* verilator lint_on BLKSEQ */

  // The pipeline holds nothing but its last stage: the next cycle is post-processing's first.
  logic pe_last_stage_only;
  always_comb begin
    pe_last_stage_only = !s1_mac && !s1_drain && !s1_pos && !s1_load;
    for (int d = 0; d < TREE_LEVELS; d++) pe_last_stage_only = pe_last_stage_only && !rp_valid[d];
  end

  // ------------------------------------------------------------------ post-processing
  logic [31:0] beats, beats_issued, beats_stored, n_elems;
  logic post_first_cycle;
  assign n_elems = op == OP_CONV ? positions * channels : count;
  assign beats = cdiv(n_elems > 0 ? n_elems : 1, LANES);
  always_ff @(posedge clk) begin
    if (state != POST) begin
      beats_issued <= 0; beats_stored <= 0;
    end else begin
      if (issue_valid && issue_ready) beats_issued <= beats_issued + 1;
      if (st_valid && st_ready) beats_stored <= beats_stored + 1;
    end
    post_first_cycle <= state != POST && ((state == PE_DRAIN && pe_last_stage_only) || (state == IDLE && cmd_fire && cmd_op != OP_CONV));
  end
  assign post_start = post_first_cycle;

  localparam int BUNDLE = 1 + 2*LANES + LANES*(ACC_BITS + 32 + 64);
  logic issue_valid, issue_ready;
  logic [BUNDLE-1:0] issue_bundle, lane_bundle;
  logic [LANES-1:0] iv, il;
  logic [LANES*ACC_BITS-1:0] ix;
  logic [LANES*32-1:0] im;
  logic [LANES*64-1:0] ib;
  assign issue_valid = state == POST && beats_issued < beats;
  always_comb begin
    for (int l = 0; l < LANES; l++) begin
      logic [31:0] e, word;
      logic [$clog2(CHANNELS)-1:0] ch;
      logic signed [8:0] a, b;
      e = beats_issued * LANES + l;
      word = beats_issued;
      iv[l] = e < n_elems;
      il[l] = pflag_mem[word][l];
      a = act_value(abuf[word][l*8 +: 8], in_signed);
      b = act_value(abuf[beats + word][l*8 +: 8], in2_signed);
      ch = '0;
      ix[l*ACC_BITS +: ACC_BITS] = ACC_BITS'(a);
      im[l*32 +: 32] = mult_a;
      ib[l*64 +: 64] = '0;
      case (op)
        OP_CONV: begin
          ch = iv[l] ? $clog2(CHANNELS)'(e / positions) : '0;
          ix[l*ACC_BITS +: ACC_BITS] = iv[l] ? acc_mem[e] : '0;
          im[l*32 +: 32] = mult_mem[ch];
          ib[l*64 +: 64] = bias_mem[ch];
        end
        OP_MAX: im[l*32 +: 32] = 32'd1;
        OP_ADD: ib[l*64 +: 64] = bias + 64'($signed(b)) * 64'($signed(mult_b));
        OP_REQUANT: begin
          ch = per_tensor || !iv[l] ? '0 : $clog2(CHANNELS)'(e / plane);
          im[l*32 +: 32] = mult_mem[ch];
          ib[l*64 +: 64] = bias_mem[ch];
        end
        default: ;
      endcase
    end
    issue_bundle = {beats_issued == 0, iv, il, ix, im, ib};
  end

  logic lane_valid, lane_ready;
  pipe_stage #(.WIDTH(BUNDLE)) u_operands (
    .clk, .rst_n, .in_valid(issue_valid), .in_ready(issue_ready), .in_data(issue_bundle),
    .out_valid(lane_valid), .out_ready(lane_ready), .out_data(lane_bundle));

  wire is_max = op == OP_MAX;
  post_processor #(.LANES(LANES), .ACC_BITS(ACC_BITS)) u_post_processor (
    .clk, .rst_n, .in_valid(lane_valid), .in_ready(lane_ready),
    .first(lane_bundle[BUNDLE-1]), .pool_max(is_max), .pool_avg(op == OP_AVG),
    .valid(lane_bundle[BUNDLE-2 -: LANES]), .last(lane_bundle[BUNDLE-2-LANES -: LANES]),
    .x(lane_bundle[LANES*(32+64) +: LANES*ACC_BITS]), .mult(lane_bundle[LANES*64 +: LANES*32]), .bias(lane_bundle[0 +: LANES*64]),
    .shift(is_max ? 6'd0 : shift), .relu(is_max ? 1'b0 : relu), .out_bits(is_max ? 4'd8 : out_bits),
    .out_signed(is_max ? in_signed : out_signed),
    .out_valid(st_valid), .out_ready(st_ready), .out_data(st_data), .out_mask(st_mask), .out_index(st_index));

  logic unused;
  assign unused = ^{ld_data, ld_addr, cmd_k[23:0], passes, is_pos};
endmodule
