  ;; The per-coefficient steps between the big operations (sntrup761-encoding.ts's smallEncode,
  ;; smallDecode; sntrup761.ts's rounding in hide, the mod-3 step and the weight check of decapsulation).
  ;; Cheap in themselves; here so that no JavaScript function of a key exchange loops over 761
  ;; coefficients: V8 optimizes a function with such loops after a few calls, and for the
  ;; decapsulation, which inlines everything it calls, that compilation cost ~20 ms of CPU, more
  ;; than a dozen decapsulations. All constant-time: no branch or index depends on the values.

  ;; x mod 3 in -1..1 for |x| < 2^14 (the reference's multiply-shift: 10923/2^15 is 1/3 to 2^-15)
  (func $freeze3 (param $x i32) (result i32)
    (i32.sub (local.get $x)
      (i32.mul (i32.const 3)
        (i32.shr_s (i32.add (i32.mul (i32.const 10923) (local.get $x)) (i32.const 16384)) (i32.const 15)))))

  ;; Small encoding of IN8A (coefficients -1..1): coefficient + 1 in two bits, four to a byte,
  ;; low bits first; 191 bytes to OUT (index 760 is the last, alone in its byte)
  (func (export "small_encode")
    (local $i i32)
    (loop $bytes
      (i32.store8 offset=4096 (i32.shr_u (local.get $i) (i32.const 2))
        (i32.or
          (i32.or
            (i32.add (i32.load8_s (local.get $i)) (i32.const 1))
            (i32.shl (i32.add (i32.load8_s offset=1 (local.get $i)) (i32.const 1)) (i32.const 2)))
          (i32.or
            (i32.shl (i32.add (i32.load8_s offset=2 (local.get $i)) (i32.const 1)) (i32.const 4))
            (i32.shl (i32.add (i32.load8_s offset=3 (local.get $i)) (i32.const 1)) (i32.const 6)))))
      (br_if $bytes (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 760))))
    ;; the last byte holds only coefficient 760 (IN8A is zero past it, but 0 + 1 would be encoded)
    (i32.store8 offset=4286 (i32.const 0) (i32.add (i32.load8_s offset=760 (i32.const 0)) (i32.const 1))))

  ;; Small decoding of 191 bytes at BYTES = 8192: coefficient i is bits 2(i mod 4) of byte i/4,
  ;; minus 1; 761 x i8 to OUT
  (func (export "small_decode")
    (local $i i32)
    (loop $coefficients
      (i32.store8 offset=4096 (local.get $i)
        (i32.sub
          (i32.and
            (i32.shr_u (i32.load8_u offset=8192 (i32.shr_u (local.get $i) (i32.const 2)))
              (i32.shl (i32.and (local.get $i) (i32.const 3)) (i32.const 1)))
            (i32.const 3))
          (i32.const 1)))
      (br_if $coefficients (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761)))))

  ;; Round IN16 (-2295..2295) to the nearest multiples of 3 (x - (x mod 3)); i16 to OUT
  (func (export "round3")
    (local $i i32) (local $x i32)
    (loop $coefficients
      (local.set $x (i32.load16_s offset=2048 (i32.shl (local.get $i) (i32.const 1))))
      (i32.store16 offset=4096 (i32.shl (local.get $i) (i32.const 1))
        (i32.sub (local.get $x) (call $freeze3 (local.get $x))))
      (br_if $coefficients (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761)))))

  ;; e = (3·x mod q) mod 3 for IN16 (-2295..2295); i8 to OUT
  (func (export "mod3_of_3x")
    (local $i i32)
    (loop $coefficients
      (i32.store8 offset=4096 (local.get $i)
        (call $freeze3
          (i32.trunc_f64_s
            (call $freezeQ (f64.convert_i32_s (i32.mul (i32.const 3) (i32.load16_s offset=2048 (i32.shl (local.get $i) (i32.const 1)))))))))
      (br_if $coefficients (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761)))))

  ;; IN8A (-1..1) if its weight is w = 286, else the fixed vector (1, ..., 1, 0, ..., 0) of that
  ;; weight; i8 to OUT. The weight decides by a mask, not a branch.
  (func (export "force_weight")
    (local $i i32) (local $weight i32) (local $bad i32)
    (loop $count
      (local.set $weight (i32.add (local.get $weight) (i32.and (i32.load8_s (local.get $i)) (i32.const 1))))
      (br_if $count (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761))))
    (local.set $weight (i32.sub (local.get $weight) (i32.const 286)))
    (local.set $bad (i32.shr_s (i32.or (local.get $weight) (i32.sub (i32.const 0) (local.get $weight))) (i32.const 31)))
    (local.set $i (i32.const 0))
    (loop $first
      (i32.store8 offset=4096 (local.get $i)
        (i32.xor (i32.and (i32.xor (i32.load8_s (local.get $i)) (i32.const 1)) (i32.xor (local.get $bad) (i32.const -1))) (i32.const 1)))
      (br_if $first (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 286))))
    (loop $rest
      (i32.store8 offset=4096 (local.get $i)
        (i32.and (i32.load8_s (local.get $i)) (i32.xor (local.get $bad) (i32.const -1))))
      (br_if $rest (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761)))))
