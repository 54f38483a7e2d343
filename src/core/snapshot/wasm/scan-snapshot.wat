;; The hot loops of reading a heap snapshot, in WebAssembly, where V8 runs them with no bounds check or type check
;; per byte: a 1 GB snapshot holds 200+ million numbers (`node dist/bench/snapshot.js --large` compares the parse with
;; the JavaScript loops alone). `npm run wasm` compiles this file into scan-snapshot.wasm.ts; a test checks the two
;; agree. The JavaScript caller (snapshot-scanner.ts, parse-snapshot.ts) keeps every rule and every error message:
;; these functions stop and hand over at anything out of the ordinary, and the caller deals with that byte its own way.
;;
;; Memory is fixed (no growth, so the caller's typed-array views stay valid); its layout is the caller's.
(module
  (memory (export "memory") 64 64)

  ;; Where the next value (or string start) goes, and whether a ',' must come before it: in and out of scanNumbers
  ;; and scanStrings; where scanStrings puts the next literal's bytes.
  (global $out (export "out") (mut i32) (i32.const 0))
  (global $expectSeparator (export "expectSeparator") (mut i32) (i32.const 0))
  (global $textOut (export "textOut") (mut i32) (i32.const 0))

  ;; Reads a run of a JSON array of non-negative integers from the bytes [p, end): values separated by ',', with
  ;; whitespace allowed anywhere between. Each value is stored as a u32 at $out, which moves on. Returns where it
  ;; stopped: at `end`, or at a byte left to the caller — a number that touches `end` (it may go on in the next
  ;; chunk), more than 10 digits or a value over 2^32 - 1, a number where a ',' was due, a ',' where a number was
  ;; due, a number when $out has reached `outEnd`, and any other byte (']' ends the array).
  (func (export "scanNumbers") (param $p i32) (param $end i32) (param $outEnd i32) (result i32)
    (local $out i32) (local $sep i32) (local $c i32) (local $d i32) (local $q i32) (local $v i64)
    (local.set $out (global.get $out))
    (local.set $sep (global.get $expectSeparator))
    (block $stop
      (loop $next
        (br_if $stop (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $p)))
        (local.set $d (i32.sub (local.get $c) (i32.const 0x30)))
        (if (i32.lt_u (local.get $d) (i32.const 10))
          (then
            (br_if $stop (local.get $sep))
            (br_if $stop (i32.ge_u (local.get $out) (local.get $outEnd)))
            (local.set $v (i64.extend_i32_u (local.get $d)))
            (local.set $q (i32.add (local.get $p) (i32.const 1)))
            (block $numberEnd
              (loop $digit
                (br_if $stop (i32.ge_u (local.get $q) (local.get $end)))
                (local.set $d (i32.sub (i32.load8_u (local.get $q)) (i32.const 0x30)))
                (br_if $numberEnd (i32.ge_u (local.get $d) (i32.const 10)))
                ;; At most 10 digits are let through below, so the i64 cannot overflow here before that check.
                (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $digit)))
            (br_if $stop (i32.gt_u (i32.sub (local.get $q) (local.get $p)) (i32.const 10)))
            (br_if $stop (i64.gt_u (local.get $v) (i64.const 0xffffffff)))
            (i32.store (local.get $out) (i32.wrap_i64 (local.get $v)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $sep (i32.const 1))
            (local.set $p (local.get $q))
            (br $next)))
        (if (i32.eq (local.get $c) (i32.const 0x2c))
          (then
            (br_if $stop (i32.eqz (local.get $sep)))
            (local.set $sep (i32.const 0))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $next)))
        ;; Whitespace: '\n' (V8 puts one before each record), ' ', '\r', '\t'.
        (br_if $stop
          (i32.and
            (i32.and (i32.ne (local.get $c) (i32.const 0x0a)) (i32.ne (local.get $c) (i32.const 0x20)))
            (i32.and (i32.ne (local.get $c) (i32.const 0x0d)) (i32.ne (local.get $c) (i32.const 0x09)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (global.set $out (local.get $out))
    (global.set $expectSeparator (local.get $sep))
    (local.get $p))

  ;; Reads a run of the `strings` array from [p, end): literals of plain bytes only (0x20-0x7f but '"' and '\'),
  ;; separated by ',', with whitespace allowed between. Each literal's body goes to $textOut (bodies back to back,
  ;; up to `textEnd`) and where it starts in the string table — `base` plus its distance from `textAt` — to $out as a
  ;; u32. Returns where it stopped: at `end`, or at a byte left to the caller — the opening quote of a literal with
  ;; another byte in it (an escape, a control byte, UTF-8), one not closed before `end`, or one that would not fit;
  ;; a literal where a ',' was due, a ',' where a literal was due; and any other byte (']' ends the array).
  (func (export "scanStrings")
    (param $p i32) (param $end i32) (param $outEnd i32) (param $textAt i32) (param $textEnd i32) (param $base i32)
    (result i32)
    (local $out i32) (local $text i32) (local $sep i32) (local $c i32) (local $q i32) (local $t i32)
    (local.set $out (global.get $out))
    (local.set $text (global.get $textOut))
    (local.set $sep (global.get $expectSeparator))
    (block $stop
      (loop $next
        (br_if $stop (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $p)))
        (if (i32.eq (local.get $c) (i32.const 0x22))
          (then
            (br_if $stop (local.get $sep))
            (br_if $stop (i32.ge_u (local.get $out) (local.get $outEnd)))
            ;; Bytes are copied as they are checked; only a literal that closes is kept ($text moves on).
            (local.set $q (i32.add (local.get $p) (i32.const 1)))
            (local.set $t (local.get $text))
            (block $closed
              (loop $byte
                (br_if $stop (i32.ge_u (local.get $q) (local.get $end)))
                (local.set $c (i32.load8_u (local.get $q)))
                (br_if $closed (i32.eq (local.get $c) (i32.const 0x22)))
                (br_if $stop (i32.ge_u (i32.sub (local.get $c) (i32.const 0x20)) (i32.const 0x60)))
                (br_if $stop (i32.eq (local.get $c) (i32.const 0x5c)))
                (br_if $stop (i32.ge_u (local.get $t) (local.get $textEnd)))
                (i32.store8 (local.get $t) (local.get $c))
                (local.set $t (i32.add (local.get $t) (i32.const 1)))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $byte)))
            (i32.store (local.get $out) (i32.add (local.get $base) (i32.sub (local.get $text) (local.get $textAt))))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $text (local.get $t))
            (local.set $sep (i32.const 1))
            (local.set $p (i32.add (local.get $q) (i32.const 1)))
            (br $next)))
        (if (i32.eq (local.get $c) (i32.const 0x2c))
          (then
            (br_if $stop (i32.eqz (local.get $sep)))
            (local.set $sep (i32.const 0))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $next)))
        (br_if $stop
          (i32.and
            (i32.and (i32.ne (local.get $c) (i32.const 0x0a)) (i32.ne (local.get $c) (i32.const 0x20)))
            (i32.and (i32.ne (local.get $c) (i32.const 0x0d)) (i32.ne (local.get $c) (i32.const 0x09)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (global.set $out (local.get $out))
    (global.set $textOut (local.get $text))
    (global.set $expectSeparator (local.get $sep))
    (local.get $p))

  ;; Moves `records` edge records from `stage` (u32 values, `stride` bytes per record) into three arrays: `types`
  ;; (u8), `names` (u32) and `targets` (u32: to_node / nodeStride, the node's index). `typeAt`, `nameAt` and `toAt`
  ;; are the fields' byte offsets in a record. Returns -1, or the first record whose type is over 255 or whose
  ;; to_node is not the start of a node (the caller says which).
  (func (export "splitEdges")
    (param $stage i32) (param $records i32) (param $stride i32)
    (param $typeAt i32) (param $nameAt i32) (param $toAt i32)
    (param $nodeStride i32) (param $nodeValues i32)
    (param $types i32) (param $names i32) (param $targets i32)
    (result i32)
    (local $r i32) (local $type i32) (local $to i32) (local $node i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $r) (local.get $records)))
        (local.set $type (i32.load (i32.add (local.get $stage) (local.get $typeAt))))
        (local.set $to (i32.load (i32.add (local.get $stage) (local.get $toAt))))
        (local.set $node (i32.div_u (local.get $to) (local.get $nodeStride)))
        (if (i32.or
              (i32.gt_u (local.get $type) (i32.const 0xff))
              (i32.or
                (i32.ge_u (local.get $to) (local.get $nodeValues))
                (i32.ne (i32.mul (local.get $node) (local.get $nodeStride)) (local.get $to))))
          (then (return (local.get $r))))
        (i32.store8 (i32.add (local.get $types) (local.get $r)) (local.get $type))
        (i32.store (local.get $names) (i32.load (i32.add (local.get $stage) (local.get $nameAt))))
        (i32.store (local.get $targets) (local.get $node))
        (local.set $names (i32.add (local.get $names) (i32.const 4)))
        (local.set $targets (i32.add (local.get $targets) (i32.const 4)))
        (local.set $stage (i32.add (local.get $stage) (local.get $stride)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $next)))
    (i32.const -1))

  ;; How many bytes of [p, end) equal `byte`: the split reader counts the records of a part of `edges` by their line
  ;; breaks before it can parse them (src/files/split-snapshot-read.ts). 16 bytes at a time: a compare makes each
  ;; match a -1 byte, which subtracted counts it in that byte lane; before a lane can wrap (255 rounds) the lanes are
  ;; added into four 32-bit ones.
  (func (export "countByte") (param $p i32) (param $end i32) (param $byte i32) (result i32)
    (local $pattern v128) (local $lanes v128) (local $total v128) (local $rounds i32) (local $count i32)
    (local.set $pattern (i8x16.splat (local.get $byte)))
    (loop $batch
      (local.set $lanes (v128.const i64x2 0 0))
      (local.set $rounds (i32.const 255))
      (block $batchEnd
        (loop $round
          (br_if $batchEnd (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
          (local.set $lanes (i8x16.sub (local.get $lanes) (i8x16.eq (v128.load (local.get $p)) (local.get $pattern))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
          (br_if $round (local.get $rounds))))
      (local.set $total
        (i32x4.add (local.get $total) (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $lanes)))))
      ;; 255 rounds done: there may be more; otherwise fewer than 16 bytes are left.
      (br_if $batch (i32.eqz (local.get $rounds))))
    (local.set $count
      (i32.add
        (i32.add (i32x4.extract_lane 0 (local.get $total)) (i32x4.extract_lane 1 (local.get $total)))
        (i32.add (i32x4.extract_lane 2 (local.get $total)) (i32x4.extract_lane 3 (local.get $total)))))
    (block $tailEnd
      (loop $tail
        (br_if $tailEnd (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $count (i32.add (local.get $count) (i32.eq (i32.load8_u (local.get $p)) (local.get $byte))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $tail)))
    (local.get $count))
)
