  ;; Products in R/q and R/3 with one small factor (sntrup761-poly.ts's rqMultSmall and r3Mult):
  ;; schoolbook, one row per coefficient of A added into H with i32x4 lanes. Exact for the inputs
  ;; sntrup761 gives (|A| <= 2295, B in -1..1): a coefficient of the plain product is below
  ;; 761·2295 < 2^21, three of them after folding. B is zero from index 761, so the lanes past it
  ;; add nothing. The loop bounds are constants.

  ;; H = A·B, the plain product (A, B 768 x i32, zero from 761; H zero on entry)
  (func $convolve
    (local $i i32) (local $j i32) (local $h i32) (local $ai v128)
    (loop $rows
      (local.set $ai (i32x4.splat (i32.load offset=40960 (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $h (i32.add (i32.const 49152) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $j (i32.const 0))
      (loop $cols
        (v128.store (i32.add (local.get $h) (local.get $j))
          (i32x4.add (v128.load (i32.add (local.get $h) (local.get $j)))
            (i32x4.mul (local.get $ai) (v128.load offset=45056 (local.get $j)))))
        (br_if $cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (i32.const 3056))))
      (br_if $rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761)))))

  ;; H mod x^p - x - 1: x^(p+k) = x^(k+1) + x^k for the terms 761 .. 1520
  (func $fold
    (local $i i32) (local $hi i32)
    (local.set $i (i32.const 0))
    (loop $terms
      (local.set $hi (i32.load offset=52196 (i32.shl (local.get $i) (i32.const 2))))
      (i32.store offset=49152 (i32.shl (local.get $i) (i32.const 2))
        (i32.add (i32.load offset=49152 (i32.shl (local.get $i) (i32.const 2))) (local.get $hi)))
      (i32.store offset=49156 (i32.shl (local.get $i) (i32.const 2))
        (i32.add (i32.load offset=49156 (i32.shl (local.get $i) (i32.const 2))) (local.get $hi)))
      (br_if $terms (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 760)))))

  ;; OUT (i16, -2295..2295) = IN16 · IN8A in R/q
  (func (export "rq_mult_small")
    (local $i i32)
    (loop $load
      (i32.store offset=40960 (i32.shl (local.get $i) (i32.const 2))
        (i32.load16_s offset=2048 (i32.shl (local.get $i) (i32.const 1))))
      (i32.store offset=45056 (i32.shl (local.get $i) (i32.const 2)) (i32.load8_s (local.get $i)))
      (br_if $load (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761))))
    (call $convolve)
    (call $fold)
    (local.set $i (i32.const 0))
    (loop $out
      (i32.store16 offset=4096 (i32.shl (local.get $i) (i32.const 1))
        (i32.trunc_f64_s (call $freezeQ (f64.convert_i32_s (i32.load offset=49152 (i32.shl (local.get $i) (i32.const 2)))))))
      (br_if $out (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761)))))

  ;; OUT (i8, -1..1) = IN8A · IN8B in R/3; x mod 3 as sntrup761-params.ts's freeze3 (|x| < 2^14)
  (func (export "r3_mult")
    (local $i i32) (local $x i32)
    (loop $load
      (i32.store offset=40960 (i32.shl (local.get $i) (i32.const 2)) (i32.load8_s (local.get $i)))
      (i32.store offset=45056 (i32.shl (local.get $i) (i32.const 2)) (i32.load8_s offset=1024 (local.get $i)))
      (br_if $load (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761))))
    (call $convolve)
    (call $fold)
    (local.set $i (i32.const 0))
    (loop $out
      (local.set $x (i32.load offset=49152 (i32.shl (local.get $i) (i32.const 2))))
      (i32.store8 offset=4096 (local.get $i)
        (i32.sub (local.get $x)
          (i32.mul (i32.const 3)
            (i32.shr_s (i32.add (i32.mul (i32.const 10923) (local.get $x)) (i32.const 16384)) (i32.const 15)))))
      (br_if $out (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761)))))
