;; Poly1305 (RFC 8439 §2.5) in 32-bit limbs held in i64 locals: h = h0 + h1 2^32 + h2 2^64 +
;; h3 2^96 + h4 2^128, r = r0 + r1 2^32 + r2 2^64 + r3 2^96. Clamping makes every r_k < 2^28 and
;; r1, r2, r3 multiples of 4, so s_k = r_k + r_k / 4 = 5 r_k / 4 is exact and folds a product that
;; lands at 2^(128 + 32k) back to 2^(32k) (2^130 = 5 mod p). Before a multiply h_k < 2^33 and
;; h4 <= 4, so each column of at most five products stays below 2^64 without carries.
;; The state lives in memory between calls so that the stitched SIMD loop (chacha20-simd.wat) and
;; these functions can take turns on one message:
;;   256 r0..r3, 288 s1..s3, 312 h0..h4 (i64 each), 352 the 16-byte pad added at the end.

;; Start a MAC under the 32-byte one-time key at $key.
(func $poly_init (param $key i32)
  (local $r i64)
  ;; r = key[0..16) with the top 4 bits of bytes 3, 7, 11, 15 and the low 2 bits of bytes 4, 8,
  ;; 12 cleared (RFC 8439 §2.5)
  (i64.store offset=256 (i32.const 0) (i64.and (i64.load32_u offset=0 (local.get $key)) (i64.const 0x0fffffff)))
  (local.set $r (i64.and (i64.load32_u offset=4 (local.get $key)) (i64.const 0x0ffffffc)))
  (i64.store offset=264 (i32.const 0) (local.get $r))
  (i64.store offset=288 (i32.const 0) (i64.add (local.get $r) (i64.shr_u (local.get $r) (i64.const 2))))
  (local.set $r (i64.and (i64.load32_u offset=8 (local.get $key)) (i64.const 0x0ffffffc)))
  (i64.store offset=272 (i32.const 0) (local.get $r))
  (i64.store offset=296 (i32.const 0) (i64.add (local.get $r) (i64.shr_u (local.get $r) (i64.const 2))))
  (local.set $r (i64.and (i64.load32_u offset=12 (local.get $key)) (i64.const 0x0ffffffc)))
  (i64.store offset=280 (i32.const 0) (local.get $r))
  (i64.store offset=304 (i32.const 0) (i64.add (local.get $r) (i64.shr_u (local.get $r) (i64.const 2))))
  (i64.store offset=312 (i32.const 0) (i64.const 0))
  (i64.store offset=320 (i32.const 0) (i64.const 0))
  (i64.store offset=328 (i32.const 0) (i64.const 0))
  (i64.store offset=336 (i32.const 0) (i64.const 0))
  (i64.store offset=344 (i32.const 0) (i64.const 0))
  (i64.store offset=352 (i32.const 0) (i64.load offset=16 (local.get $key)))
  (i64.store offset=360 (i32.const 0) (i64.load offset=24 (local.get $key))))

;; Absorb the LAST $len bytes of the message at $m: full blocks, then a partial one padded with a
;; 1 byte and zeros (RFC 8439 §2.5.1), so only the final call may have $len % 16 != 0.
(func $poly_update (param $m i32) (param $len i32)
  (local $r0 i64) (local $r1 i64) (local $r2 i64) (local $r3 i64) (local $s1 i64) (local $s2 i64) (local $s3 i64)
  (local $h0 i64) (local $h1 i64) (local $h2 i64) (local $h3 i64) (local $h4 i64)
  (local $u0 i64) (local $u1 i64) (local $u2 i64) (local $u3 i64) (local $u4 i64)
  (local $c i64) (local $hibit i64) (local $i i32)
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
  (block $done
    (loop $next_block
      (if (i32.lt_u (local.get $len) (i32.const 16))
        (then
          (br_if $done (i32.eqz (local.get $len)))
          ;; the partial last block goes through 192..208: its bytes, a 1 byte, zeros; no 2^128
          (i64.store offset=192 (i32.const 0) (i64.const 0))
          (i64.store offset=200 (i32.const 0) (i64.const 0))
          (local.set $i (i32.const 0))
          (loop $copy
            (i32.store8 offset=192 (local.get $i) (i32.load8_u (i32.add (local.get $m) (local.get $i))))
            (br_if $copy (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $len))))
          (i32.store8 offset=192 (local.get $len) (i32.const 1))
          (local.set $m (i32.const 192))
          (local.set $len (i32.const 16))
          (local.set $hibit (i64.const 0))))
      ;;@include poly1305-block.wat
      (local.set $m (i32.add (local.get $m) (i32.const 16)))
      (local.set $len (i32.sub (local.get $len) (i32.const 16)))
      (br $next_block)))
  (i64.store offset=312 (i32.const 0) (local.get $h0))
  (i64.store offset=320 (i32.const 0) (local.get $h1))
  (i64.store offset=328 (i32.const 0) (local.get $h2))
  (i64.store offset=336 (i32.const 0) (local.get $h3))
  (i64.store offset=344 (i32.const 0) (local.get $h4)))

;; Write the 16-byte tag to $out: h fully reduced mod 2^130 - 5, plus the pad, mod 2^128.
(func $poly_finish (param $out i32)
  (local $h0 i64) (local $h1 i64) (local $h2 i64) (local $h3 i64) (local $h4 i64)
  (local $g0 i64) (local $g1 i64) (local $g2 i64) (local $g3 i64) (local $take_g i64)
  (local $lo i64) (local $hi i64) (local $pad i64)
  (local.set $h0 (i64.load offset=312 (i32.const 0)))
  (local.set $h1 (i64.load offset=320 (i32.const 0)))
  (local.set $h2 (i64.load offset=328 (i32.const 0)))
  (local.set $h3 (i64.load offset=336 (i32.const 0)))
  (local.set $h4 (i64.load offset=344 (i32.const 0)))
  ;; carry through all words (h1 may be 2^32 after a block), fold bits 130 and up, carry again:
  ;; then h < 2^130 + 2^32, less than 2p, so one conditional subtraction of p reduces it
  (local.set $h2 (i64.add (local.get $h2) (i64.shr_u (local.get $h1) (i64.const 32))))
  (local.set $h1 (i64.and (local.get $h1) (i64.const 0xffffffff)))
  (local.set $h3 (i64.add (local.get $h3) (i64.shr_u (local.get $h2) (i64.const 32))))
  (local.set $h2 (i64.and (local.get $h2) (i64.const 0xffffffff)))
  (local.set $h4 (i64.add (local.get $h4) (i64.shr_u (local.get $h3) (i64.const 32))))
  (local.set $h3 (i64.and (local.get $h3) (i64.const 0xffffffff)))
  (local.set $h0 (i64.add (local.get $h0)
    (i64.add (i64.and (local.get $h4) (i64.const -4)) (i64.shr_u (local.get $h4) (i64.const 2)))))
  (local.set $h4 (i64.and (local.get $h4) (i64.const 3)))
  (local.set $h1 (i64.add (local.get $h1) (i64.shr_u (local.get $h0) (i64.const 32))))
  (local.set $h0 (i64.and (local.get $h0) (i64.const 0xffffffff)))
  (local.set $h2 (i64.add (local.get $h2) (i64.shr_u (local.get $h1) (i64.const 32))))
  (local.set $h1 (i64.and (local.get $h1) (i64.const 0xffffffff)))
  (local.set $h3 (i64.add (local.get $h3) (i64.shr_u (local.get $h2) (i64.const 32))))
  (local.set $h2 (i64.and (local.get $h2) (i64.const 0xffffffff)))
  (local.set $h4 (i64.add (local.get $h4) (i64.shr_u (local.get $h3) (i64.const 32))))
  (local.set $h3 (i64.and (local.get $h3) (i64.const 0xffffffff)))
  ;; g = h + 5; it reaches 2^130 exactly when h >= p, and then h mod p = g - 2^130
  (local.set $g0 (i64.add (local.get $h0) (i64.const 5)))
  (local.set $g1 (i64.add (local.get $h1) (i64.shr_u (local.get $g0) (i64.const 32))))
  (local.set $g2 (i64.add (local.get $h2) (i64.shr_u (local.get $g1) (i64.const 32))))
  (local.set $g3 (i64.add (local.get $h3) (i64.shr_u (local.get $g2) (i64.const 32))))
  ;; all ones when bit 130 of g is set (take g), zero otherwise (keep h); no branch on secrets
  (local.set $take_g (i64.sub (i64.const 0)
    (i64.shr_u (i64.add (local.get $h4) (i64.shr_u (local.get $g3) (i64.const 32))) (i64.const 2))))
  (local.set $h0 (i64.xor (local.get $h0) (i64.and (local.get $take_g) (i64.xor (local.get $h0) (local.get $g0)))))
  (local.set $h1 (i64.xor (local.get $h1) (i64.and (local.get $take_g) (i64.xor (local.get $h1) (local.get $g1)))))
  (local.set $h2 (i64.xor (local.get $h2) (i64.and (local.get $take_g) (i64.xor (local.get $h2) (local.get $g2)))))
  (local.set $h3 (i64.xor (local.get $h3) (i64.and (local.get $take_g) (i64.xor (local.get $h3) (local.get $g3)))))
  ;; tag = (h + pad) mod 2^128, as two little-endian 64-bit halves
  (local.set $lo (i64.or (i64.and (local.get $h0) (i64.const 0xffffffff)) (i64.shl (local.get $h1) (i64.const 32))))
  (local.set $hi (i64.or (i64.and (local.get $h2) (i64.const 0xffffffff)) (i64.shl (local.get $h3) (i64.const 32))))
  (local.set $pad (i64.load offset=352 (i32.const 0)))
  (local.set $lo (i64.add (local.get $lo) (local.get $pad)))
  (local.set $hi (i64.add (i64.add (local.get $hi) (i64.load offset=360 (i32.const 0)))
    (i64.extend_i32_u (i64.lt_u (local.get $lo) (local.get $pad)))))
  (i64.store offset=0 (local.get $out) (local.get $lo))
  (i64.store offset=8 (local.get $out) (local.get $hi)))
