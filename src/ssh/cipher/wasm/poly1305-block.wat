;; Included (scripts/build-wasm.mjs, `;;@include`) into every function that runs Poly1305 blocks;
;; not a function itself, to keep the accumulator in locals. In: the 16 bytes at $m, $hibit (1 for
;; a full block: its 2^128; 0 for the padded last one), h, r, s. Out: h = (h + block) * r, partly
;; reduced (RFC 8439 §2.5.1). Scratch: $u0..$u4, $c. Limbs and bounds are in poly1305.wat.
(local.set $h0 (i64.add (local.get $h0) (i64.load32_u offset=0 (local.get $m))))
(local.set $h1 (i64.add (local.get $h1) (i64.load32_u offset=4 (local.get $m))))
(local.set $h2 (i64.add (local.get $h2) (i64.load32_u offset=8 (local.get $m))))
(local.set $h3 (i64.add (local.get $h3) (i64.load32_u offset=12 (local.get $m))))
(local.set $h4 (i64.add (local.get $h4) (local.get $hibit)))
;; u = h * r, column k collecting the products at 2^(32k); a product at 2^(128 + 32k) (k >= 0
;; words past the top) counts at 2^(32k) times 5/4, and r_k * 5/4 = s_k exactly
(local.set $u0 (i64.add (i64.add (i64.add
  (i64.mul (local.get $h0) (local.get $r0)) (i64.mul (local.get $h1) (local.get $s3)))
  (i64.mul (local.get $h2) (local.get $s2))) (i64.mul (local.get $h3) (local.get $s1))))
(local.set $u1 (i64.add (i64.add (i64.add (i64.add
  (i64.mul (local.get $h0) (local.get $r1)) (i64.mul (local.get $h1) (local.get $r0)))
  (i64.mul (local.get $h2) (local.get $s3))) (i64.mul (local.get $h3) (local.get $s2)))
  (i64.mul (local.get $h4) (local.get $s1))))
(local.set $u2 (i64.add (i64.add (i64.add (i64.add
  (i64.mul (local.get $h0) (local.get $r2)) (i64.mul (local.get $h1) (local.get $r1)))
  (i64.mul (local.get $h2) (local.get $r0))) (i64.mul (local.get $h3) (local.get $s3)))
  (i64.mul (local.get $h4) (local.get $s2))))
(local.set $u3 (i64.add (i64.add (i64.add (i64.add
  (i64.mul (local.get $h0) (local.get $r3)) (i64.mul (local.get $h1) (local.get $r2)))
  (i64.mul (local.get $h2) (local.get $r1))) (i64.mul (local.get $h3) (local.get $r0)))
  (i64.mul (local.get $h4) (local.get $s3))))
(local.set $u4 (i64.mul (local.get $h4) (local.get $r0)))
;; carry into 32-bit words; u4 collects everything from 2^128 up
(local.set $u1 (i64.add (local.get $u1) (i64.shr_u (local.get $u0) (i64.const 32))))
(local.set $h0 (i64.and (local.get $u0) (i64.const 0xffffffff)))
(local.set $u2 (i64.add (local.get $u2) (i64.shr_u (local.get $u1) (i64.const 32))))
(local.set $h1 (i64.and (local.get $u1) (i64.const 0xffffffff)))
(local.set $u3 (i64.add (local.get $u3) (i64.shr_u (local.get $u2) (i64.const 32))))
(local.set $h2 (i64.and (local.get $u2) (i64.const 0xffffffff)))
(local.set $u4 (i64.add (local.get $u4) (i64.shr_u (local.get $u3) (i64.const 32))))
(local.set $h3 (i64.and (local.get $u3) (i64.const 0xffffffff)))
;; keep bits 128-129 in h4; bits 130 and up count 5 times at 2^0: (u4 >> 2) * 5 = (u4 & ~3) + (u4 >> 2)
(local.set $c (i64.add (i64.and (local.get $u4) (i64.const -4)) (i64.shr_u (local.get $u4) (i64.const 2))))
(local.set $h4 (i64.and (local.get $u4) (i64.const 3)))
(local.set $h0 (i64.add (local.get $h0) (local.get $c)))
(local.set $h1 (i64.add (local.get $h1) (i64.shr_u (local.get $h0) (i64.const 32))))
(local.set $h0 (i64.and (local.get $h0) (i64.const 0xffffffff)))
