;; The body's whole 192-byte chunks: ChaCha20 three blocks at a time with 128-bit SIMD, stitched
;; with Poly1305. Each block is four v128 rows ($aJ = words 0-3, $bJ 4-7, $cJ 8-11, $dJ 12-15 of
;; block J), so a quarter-round step does all four columns at once; the diagonal round rotates
;; rows b, c, d into columns and back. Three blocks (12 rows and a temporary) fit the 15 vector
;; registers V8 allocates on x64, where four spill. Poly1305 runs on the scalar multiplier in the
;; same loop (one or two blocks per double round), so the CPU overlaps the two instead of running
;; them one after the other. Rotations by 12 and 7 are shift-shift-or, by 16 a constant shuffle,
;; by 8 a swizzle with constant indices: of the forms tried, the fastest on Node 20 and Bun (Node
;; 20's V8 rebuilds a constant shuffle's pshufb mask in four instructions every time).
;; Word layout as in chacha20-scalar.wat.

;; Process whole 192-byte chunks of the $len body bytes at $p (K_2 at 0, counter from 1); return
;; how many bytes that covered. Seal ($ks = 0): XOR the keystream into $p; MAC behind it, up to the
;; start of the chunk being encrypted. Open ($ks != 0): write the keystream to $ks and leave $p
;; alone; MAC the ciphertext up to the end of the current chunk. Poly1305 state in memory, and
;; $mac_pos where its input stands (packet.wat).
(func $bulk (param $n15 i32) (param $p i32) (param $len i32) (param $ks i32) (result i32)
  (local $a0 v128) (local $b0 v128) (local $c0 v128) (local $d0 v128)
  (local $a1 v128) (local $b1 v128) (local $c1 v128) (local $d1 v128)
  (local $a2 v128) (local $b2 v128) (local $c2 v128) (local $d2 v128)
  (local $t v128) (local $keep v128) (local $row3 v128)
  (local $round i32) (local $done i32) (local $ctr i32) (local $out i32) (local $mac_end i32) (local $k i32)
  (local $m i32) (local $hibit i64)
  (local $r0 i64) (local $r1 i64) (local $r2 i64) (local $r3 i64) (local $s1 i64) (local $s2 i64) (local $s3 i64)
  (local $h0 i64) (local $h1 i64) (local $h2 i64) (local $h3 i64) (local $h4 i64)
  (local $u0 i64) (local $u1 i64) (local $u2 i64) (local $u3 i64) (local $u4 i64) (local $c i64)
  (local.set $r0 (i64.load offset=256 (i32.const 0)))
  (local.set $r1 (i64.load offset=264 (i32.const 0)))
  (local.set $r2 (i64.load offset=272 (i32.const 0)))
  (local.set $r3 (i64.load offset=280 (i32.const 0)))
  (local.set $s1 (i64.load offset=288 (i32.const 0)))
  (local.set $s2 (i64.load offset=296 (i32.const 0)))
  (local.set $s3 (i64.load offset=304 (i32.const 0)))
  (local.set $h0 (i64.load offset=312 (i32.const 0)))
  (local.set $h1 (i64.load offset=320 (i32.const 0)))
  (local.set $h2 (i64.load offset=328 (i32.const 0)))
  (local.set $h3 (i64.load offset=336 (i32.const 0)))
  (local.set $h4 (i64.load offset=344 (i32.const 0)))
  (local.set $hibit (i64.const 1))
  (local.set $m (global.get $mac_pos))
  (local.set $ctr (i32.const 1))
  ;; row d without its counter: words 12-15 = (counter, 0, 0, nonce word 15)
  (local.set $row3 (i32x4.replace_lane 3 (v128.const i32x4 0 0 0 0) (local.get $n15)))
  ;; seal keeps what is in memory under the XOR; open overwrites its keystream buffer
  (local.set $keep (i32x4.splat (i32.sub (i32.const 0) (i32.eqz (local.get $ks)))))
  (block $no_more_chunks
    (loop $next_chunk
      (br_if $no_more_chunks (i32.lt_u (i32.sub (local.get $len) (local.get $done)) (i32.const 192)))
      (if (i32.eqz (local.get $ks))
        (then
          (local.set $out (i32.add (local.get $p) (local.get $done)))
          (local.set $mac_end (local.get $out)))
        (else
          (local.set $out (i32.add (local.get $ks) (local.get $done)))
          (local.set $mac_end (i32.add (i32.add (local.get $p) (local.get $done)) (i32.const 192)))))
      (local.set $a0 (v128.const i32x4 0x61707865 0x3320646e 0x79622d32 0x6b206574))
      (local.set $a1 (local.get $a0))
      (local.set $a2 (local.get $a0))
      (local.set $b0 (v128.load offset=0 (i32.const 0)))
      (local.set $b1 (local.get $b0))
      (local.set $b2 (local.get $b0))
      (local.set $c0 (v128.load offset=16 (i32.const 0)))
      (local.set $c1 (local.get $c0))
      (local.set $c2 (local.get $c0))
      (local.set $d0 (i32x4.replace_lane 0 (local.get $row3) (local.get $ctr)))
      (local.set $d1 (i32x4.replace_lane 0 (local.get $row3) (i32.add (local.get $ctr) (i32.const 1))))
      (local.set $d2 (i32x4.replace_lane 0 (local.get $row3) (i32.add (local.get $ctr) (i32.const 2))))
      (local.set $round (i32.const 10))
      (loop $double_round
        ;; columns: a += b; d ^= a; d <<<= 16; c += d; b ^= c; b <<<= 12; a += b; d ^= a; d <<<= 8; c += d; b ^= c; b <<<= 7
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $a2 (i32x4.add (local.get $a2) (local.get $b2)))
        (local.set $d0 (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.tee $t (v128.xor (local.get $d0) (local.get $a0))) (local.get $t)))
        (local.set $d1 (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.tee $t (v128.xor (local.get $d1) (local.get $a1))) (local.get $t)))
        (local.set $d2 (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.tee $t (v128.xor (local.get $d2) (local.get $a2))) (local.get $t)))
        (local.set $c0 (i32x4.add (local.get $c0) (local.get $d0)))
        (local.set $c1 (i32x4.add (local.get $c1) (local.get $d1)))
        (local.set $c2 (i32x4.add (local.get $c2) (local.get $d2)))
        (local.set $b0 (v128.or (i32x4.shl (local.tee $t (v128.xor (local.get $b0) (local.get $c0))) (i32.const 12)) (i32x4.shr_u (local.get $t) (i32.const 20))))
        (local.set $b1 (v128.or (i32x4.shl (local.tee $t (v128.xor (local.get $b1) (local.get $c1))) (i32.const 12)) (i32x4.shr_u (local.get $t) (i32.const 20))))
        (local.set $b2 (v128.or (i32x4.shl (local.tee $t (v128.xor (local.get $b2) (local.get $c2))) (i32.const 12)) (i32x4.shr_u (local.get $t) (i32.const 20))))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $a2 (i32x4.add (local.get $a2) (local.get $b2)))
        (local.set $d0 (i8x16.swizzle (v128.xor (local.get $d0) (local.get $a0)) (v128.const i8x16 3 0 1 2 7 4 5 6 11 8 9 10 15 12 13 14)))
        (local.set $d1 (i8x16.swizzle (v128.xor (local.get $d1) (local.get $a1)) (v128.const i8x16 3 0 1 2 7 4 5 6 11 8 9 10 15 12 13 14)))
        (local.set $d2 (i8x16.swizzle (v128.xor (local.get $d2) (local.get $a2)) (v128.const i8x16 3 0 1 2 7 4 5 6 11 8 9 10 15 12 13 14)))
        (local.set $c0 (i32x4.add (local.get $c0) (local.get $d0)))
        (local.set $c1 (i32x4.add (local.get $c1) (local.get $d1)))
        (local.set $c2 (i32x4.add (local.get $c2) (local.get $d2)))
        (local.set $b0 (v128.or (i32x4.shl (local.tee $t (v128.xor (local.get $b0) (local.get $c0))) (i32.const 7)) (i32x4.shr_u (local.get $t) (i32.const 25))))
        (local.set $b1 (v128.or (i32x4.shl (local.tee $t (v128.xor (local.get $b1) (local.get $c1))) (i32.const 7)) (i32x4.shr_u (local.get $t) (i32.const 25))))
        (local.set $b2 (v128.or (i32x4.shl (local.tee $t (v128.xor (local.get $b2) (local.get $c2))) (i32.const 7)) (i32x4.shr_u (local.get $t) (i32.const 25))))
        ;; rotate rows b, c, d left by 1, 2, 3 lanes: the diagonals become columns
        (local.set $b0 (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $b0) (local.get $b0)))
        (local.set $b1 (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $b1) (local.get $b1)))
        (local.set $b2 (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $b2) (local.get $b2)))
        (local.set $c0 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c0) (local.get $c0)))
        (local.set $c1 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c1) (local.get $c1)))
        (local.set $c2 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c2) (local.get $c2)))
        (local.set $d0 (i8x16.shuffle 12 13 14 15 0 1 2 3 4 5 6 7 8 9 10 11 (local.get $d0) (local.get $d0)))
        (local.set $d1 (i8x16.shuffle 12 13 14 15 0 1 2 3 4 5 6 7 8 9 10 11 (local.get $d1) (local.get $d1)))
        (local.set $d2 (i8x16.shuffle 12 13 14 15 0 1 2 3 4 5 6 7 8 9 10 11 (local.get $d2) (local.get $d2)))
        ;; diagonals: a += b; d ^= a; d <<<= 16; c += d; b ^= c; b <<<= 12; a += b; d ^= a; d <<<= 8; c += d; b ^= c; b <<<= 7
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $a2 (i32x4.add (local.get $a2) (local.get $b2)))
        (local.set $d0 (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.tee $t (v128.xor (local.get $d0) (local.get $a0))) (local.get $t)))
        (local.set $d1 (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.tee $t (v128.xor (local.get $d1) (local.get $a1))) (local.get $t)))
        (local.set $d2 (i8x16.shuffle 2 3 0 1 6 7 4 5 10 11 8 9 14 15 12 13 (local.tee $t (v128.xor (local.get $d2) (local.get $a2))) (local.get $t)))
        (local.set $c0 (i32x4.add (local.get $c0) (local.get $d0)))
        (local.set $c1 (i32x4.add (local.get $c1) (local.get $d1)))
        (local.set $c2 (i32x4.add (local.get $c2) (local.get $d2)))
        (local.set $b0 (v128.or (i32x4.shl (local.tee $t (v128.xor (local.get $b0) (local.get $c0))) (i32.const 12)) (i32x4.shr_u (local.get $t) (i32.const 20))))
        (local.set $b1 (v128.or (i32x4.shl (local.tee $t (v128.xor (local.get $b1) (local.get $c1))) (i32.const 12)) (i32x4.shr_u (local.get $t) (i32.const 20))))
        (local.set $b2 (v128.or (i32x4.shl (local.tee $t (v128.xor (local.get $b2) (local.get $c2))) (i32.const 12)) (i32x4.shr_u (local.get $t) (i32.const 20))))
        (local.set $a0 (i32x4.add (local.get $a0) (local.get $b0)))
        (local.set $a1 (i32x4.add (local.get $a1) (local.get $b1)))
        (local.set $a2 (i32x4.add (local.get $a2) (local.get $b2)))
        (local.set $d0 (i8x16.swizzle (v128.xor (local.get $d0) (local.get $a0)) (v128.const i8x16 3 0 1 2 7 4 5 6 11 8 9 10 15 12 13 14)))
        (local.set $d1 (i8x16.swizzle (v128.xor (local.get $d1) (local.get $a1)) (v128.const i8x16 3 0 1 2 7 4 5 6 11 8 9 10 15 12 13 14)))
        (local.set $d2 (i8x16.swizzle (v128.xor (local.get $d2) (local.get $a2)) (v128.const i8x16 3 0 1 2 7 4 5 6 11 8 9 10 15 12 13 14)))
        (local.set $c0 (i32x4.add (local.get $c0) (local.get $d0)))
        (local.set $c1 (i32x4.add (local.get $c1) (local.get $d1)))
        (local.set $c2 (i32x4.add (local.get $c2) (local.get $d2)))
        (local.set $b0 (v128.or (i32x4.shl (local.tee $t (v128.xor (local.get $b0) (local.get $c0))) (i32.const 7)) (i32x4.shr_u (local.get $t) (i32.const 25))))
        (local.set $b1 (v128.or (i32x4.shl (local.tee $t (v128.xor (local.get $b1) (local.get $c1))) (i32.const 7)) (i32x4.shr_u (local.get $t) (i32.const 25))))
        (local.set $b2 (v128.or (i32x4.shl (local.tee $t (v128.xor (local.get $b2) (local.get $c2))) (i32.const 7)) (i32x4.shr_u (local.get $t) (i32.const 25))))
        ;; and back
        (local.set $b0 (i8x16.shuffle 12 13 14 15 0 1 2 3 4 5 6 7 8 9 10 11 (local.get $b0) (local.get $b0)))
        (local.set $b1 (i8x16.shuffle 12 13 14 15 0 1 2 3 4 5 6 7 8 9 10 11 (local.get $b1) (local.get $b1)))
        (local.set $b2 (i8x16.shuffle 12 13 14 15 0 1 2 3 4 5 6 7 8 9 10 11 (local.get $b2) (local.get $b2)))
        (local.set $c0 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c0) (local.get $c0)))
        (local.set $c1 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c1) (local.get $c1)))
        (local.set $c2 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $c2) (local.get $c2)))
        (local.set $d0 (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $d0) (local.get $d0)))
        (local.set $d1 (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $d1) (local.get $d1)))
        (local.set $d2 (i8x16.shuffle 4 5 6 7 8 9 10 11 12 13 14 15 0 1 2 3 (local.get $d2) (local.get $d2)))
        ;; Poly1305 on the input that is ready: a block every double round and a second one in
        ;; rounds 8 and 4, 12 per 192-byte chunk, evenly spread so the CPU always has both kinds
        ;; of work in flight (straight-line: a loop here makes V8 spill the ChaCha20 rows around it)
        (if (i32.le_u (i32.add (local.get $m) (i32.const 16)) (local.get $mac_end))
          (then
            ;;@include poly1305-block.wat
            (local.set $m (i32.add (local.get $m) (i32.const 16)))))
        (if (i32.and (i32.eqz (i32.and (local.get $round) (i32.const 3))) (i32.le_u (i32.add (local.get $m) (i32.const 16)) (local.get $mac_end)))
          (then
            ;;@include poly1305-block.wat
            (local.set $m (i32.add (local.get $m) (i32.const 16)))))
        (br_if $double_round (local.tee $round (i32.sub (local.get $round) (i32.const 1)))))
      ;; keystream = rows + input rows (RFC 8439 §2.3), XORed into or stored at $out
      (call $store_block (local.get $out) (local.get $keep)
        (local.get $a0) (local.get $b0) (local.get $c0) (i32x4.add (local.get $d0) (i32x4.replace_lane 0 (local.get $row3) (local.get $ctr))))
      (call $store_block (i32.add (local.get $out) (i32.const 64)) (local.get $keep)
        (local.get $a1) (local.get $b1) (local.get $c1)
        (i32x4.add (local.get $d1) (i32x4.replace_lane 0 (local.get $row3) (i32.add (local.get $ctr) (i32.const 1)))))
      (call $store_block (i32.add (local.get $out) (i32.const 128)) (local.get $keep)
        (local.get $a2) (local.get $b2) (local.get $c2)
        (i32x4.add (local.get $d2) (i32x4.replace_lane 0 (local.get $row3) (i32.add (local.get $ctr) (i32.const 2)))))
      (local.set $done (i32.add (local.get $done) (i32.const 192)))
      (local.set $ctr (i32.add (local.get $ctr) (i32.const 3)))
      (br $next_chunk)))
  (i64.store offset=312 (i32.const 0) (local.get $h0))
  (i64.store offset=320 (i32.const 0) (local.get $h1))
  (i64.store offset=328 (i32.const 0) (local.get $h2))
  (i64.store offset=336 (i32.const 0) (local.get $h3))
  (i64.store offset=344 (i32.const 0) (local.get $h4))
  (global.set $mac_pos (local.get $m))
  (local.get $done))

;; Finish one block (rows a, b, c after the rounds; d with its input already added back) and store
;; its 64 bytes at $p, XORed with what is there under the all-ones lanes of $keep.
(func $store_block (param $p i32) (param $keep v128) (param $a v128) (param $b v128) (param $c v128) (param $d v128)
  (v128.store offset=0 (local.get $p) (v128.xor (v128.and (v128.load offset=0 (local.get $p)) (local.get $keep))
    (i32x4.add (local.get $a) (v128.const i32x4 0x61707865 0x3320646e 0x79622d32 0x6b206574))))
  (v128.store offset=16 (local.get $p) (v128.xor (v128.and (v128.load offset=16 (local.get $p)) (local.get $keep))
    (i32x4.add (local.get $b) (v128.load offset=0 (i32.const 0)))))
  (v128.store offset=32 (local.get $p) (v128.xor (v128.and (v128.load offset=32 (local.get $p)) (local.get $keep))
    (i32x4.add (local.get $c) (v128.load offset=16 (i32.const 0)))))
  (v128.store offset=48 (local.get $p) (v128.xor (v128.and (v128.load offset=48 (local.get $p)) (local.get $keep))
    (local.get $d))))

;; $p[i] ^= $src[i] for $len bytes, $len a multiple of 16 (open applies the keystream of $bulk).
(func $xor_bytes (param $p i32) (param $src i32) (param $len i32)
  (block $done
    (loop $next
      (br_if $done (i32.eqz (local.get $len)))
      (v128.store (local.get $p) (v128.xor (v128.load (local.get $p)) (v128.load (local.get $src))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $len (i32.sub (local.get $len) (i32.const 16)))
      (br $next))))
