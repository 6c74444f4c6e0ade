  ;; sntrup761 kernel: one 64 KiB page, laid out as below (byte offsets; WAT has no named
  ;; constants, so the functions spell them out with these comments). The loader zeroes the page
  ;; (below SHA-512's constants) after every call, so each call starts from zeros (the inversions
  ;; and the products rely on zero padding) and no secret outlives the call. Each export uses the
  ;; regions it needs, so regions of different exports overlap.
  ;;      0  IN8A   761 x i8   small input (g for the inversions, the small factor of a product)
  ;;   1024  IN8B   761 x i8   second small input (r3_mult)
  ;;   2048  IN16   761 x i16  Rq input (rq_mult_small)
  ;;   4096  OUT    761 x i16 or i8, the result
  ;;   8192  RAND   761 x i32  the samplers: 4·p random bytes
  ;;   8192  F      768 x f32  rq_recip3: f (fixed origin)
  ;;  12288  R      768 x f32  rq_recip3: r (fixed origin)
  ;;  16384  G     3072 x f32  rq_recip3: g, its origin moving up one place per step (g /= x)
  ;;  28672  V     3072 x f32  rq_recip3: v, its origin moving down one place per step (v *= x)
  ;;  40960  A      768 x i32  products: first factor, zero from index 761
  ;;  45056  B      768 x i32  products: second factor, zero from index 761
  ;;  49152  H     1544 x i32  products: the plain product, then folded
  ;;  57344  PLANES 8 x 12 x i64  r3_recip: f, g, v, r bit-sliced (m and s planes, 96 bytes each)
  ;; Encode/Decode (encode.wat), SHA-512 (sha512.wat) and the small decoding (glue.wat) lay out
  ;; 8192 .. 49240 in their own ways (their comments say how), and
  ;; SHA-512's round constants sit at 64896 .. 65536, written at instantiation and never zeroed.
  (memory (export "memory") 1)

  ;; x mod q in -2295..2295 for integral |x| < 2^50 (sntrup761-params.ts's freezeQ: x/q is never within
  ;; 1/(2q) of a half-integer, and the product's rounding error is far below that).
  (func $freezeQ (param $x f64) (result f64)
    (f64.sub (local.get $x)
      (f64.mul (f64.const 4591)
        (f64.floor (f64.add (f64.mul (local.get $x) (f64.const 0.00021781746896101068)) (f64.const 0.5))))))
