  ;; rq_recip3: 1/(3·g) in R/q for the small g at IN8A, written to OUT as 761 x i16 in -2295..2295
  ;; (sntrup761-poly.ts's rqRecip3: the same 2p-1 constant-time divsteps, the same bounds on the public
  ;; step counter). Differences, none visible in the result:
  ;; - Coefficients are f32, four to a v128, reduced every step: with |f0|, |g0|, |f[i]|, |g[i]| <= B
  ;;   every product is an integer below B^2 and f0·g - g0·f below 2B^2 < 2^24, so exact in f32;
  ;;   k = nearest(x · fl(1/q)) is round(x/q) or one off (the relative error is ~2^-23, so x/q is
  ;;   off by under 3e-4 and k is wrong only within 3e-4 of a half-integer), so x - k·q is exact and
  ;;   within q/2 + 1.3, i.e. B = 2297 holds from step to step (2B^2 = 10.6e6 < 2^24 = 16.8e6).
  ;;   Only the final result is reduced exactly (in f64). No denormals arise (every value is an
  ;;   integer or an integer times fl(1/q) >= 2e-4), so float timing is data-independent.
  ;; - No element moves: "g /= x" moves g's origin (gp) up one place and "v *= x" moves v's origin
  ;;   (vp) down one; f and g (v and r) then pair up at different alignments, which unaligned v128
  ;;   loads do not mind.
  ;; - Lanes past a bound are processed too (whole v128s), and nothing past it reaches a lane the
  ;;   JavaScript reads. f, g past index p and v, r past step + 1 hold zeros, and zeros stay zeros
  ;;   (that also makes g[p] = 0, which the JavaScript writes). Once the f, g bound shrinks (the
  ;;   last p steps), it shrinks by one place per step, just as g moves down one place per step,
  ;;   so lanes past it stay past it; v moves up, away from its bound, and r and f do not move; the
  ;;   values in those lanes are reduced like the others, so they stay small, and are never read.
  (func (export "rq_recip3")
    (local $i i32) (local $step i32) (local $delta i32) (local $swap i32) (local $t i32)
    (local $endb i32) (local $liveb i32) (local $gp i32) (local $vp i32)
    (local $f0 f32) (local $g0 f32) (local $s f64) (local $scale f64)
    (local $sw v128) (local $f0v v128) (local $g0v v128) (local $a v128) (local $b v128) (local $x v128)
    (local $q v128) (local $invq v128)
    (local.set $q (f32x4.splat (f32.const 4591)))
    (local.set $invq (f32x4.splat (f32.const 0.000217817461816594)))
    ;; f = x^p - x - 1 reversed: f[0] = 1, f[760] = f[761] = -1 (F = 8192)
    (f32.store (i32.const 8192) (f32.const 1))
    (f32.store (i32.const 11232) (f32.const -1))
    (f32.store (i32.const 11236) (f32.const -1))
    ;; g[760 - i] = input[i]: G + 4·760 = 19424
    (loop $in
      (f32.store (i32.sub (i32.const 19424) (i32.shl (local.get $i) (i32.const 2)))
        (f32.convert_i32_s (i32.load8_s (local.get $i))))
      (br_if $in (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761))))
    ;; r[0] = 1/3 mod q = -1530 (R = 12288); v = 0
    (f32.store (i32.const 12288) (f32.const -1530))
    (local.set $gp (i32.const 16384))
    ;; V + 4·1524: room for 1521 moves down, and 768 places above the last origin
    (local.set $vp (i32.const 34768))
    (local.set $delta (i32.const 1))
    (loop $steps
      ;; v *= x: the place below the origin is still zero
      (local.set $vp (i32.sub (local.get $vp) (i32.const 4)))
      (local.set $f0 (f32.load (i32.const 8192)))
      (local.set $g0 (f32.load (local.get $gp)))
      ;; swap = -1 when delta > 0 and g[0] != 0 (|g[0]| < q, so nonzero mod q iff nonzero)
      (local.set $t (i32.trunc_f32_s (local.get $g0)))
      (local.set $swap
        (i32.and
          (i32.shr_s (i32.sub (i32.const 0) (local.get $delta)) (i32.const 31))
          (i32.shr_s (i32.or (local.get $t) (i32.sub (i32.const 0) (local.get $t))) (i32.const 31))))
      ;; delta = (swap ? -delta : delta) + 1
      (local.set $delta
        (i32.add (i32.const 1)
          (i32.xor (local.get $delta)
            (i32.and (local.get $swap) (i32.xor (local.get $delta) (i32.sub (i32.const 0) (local.get $delta)))))))
      ;; (f0, g0) swapped under the mask, on their bits
      (local.set $t
        (i32.and (local.get $swap)
          (i32.xor (i32.reinterpret_f32 (local.get $f0)) (i32.reinterpret_f32 (local.get $g0)))))
      (local.set $f0 (f32.reinterpret_i32 (i32.xor (i32.reinterpret_f32 (local.get $f0)) (local.get $t))))
      (local.set $g0 (f32.reinterpret_i32 (i32.xor (i32.reinterpret_f32 (local.get $g0)) (local.get $t))))
      (f32.store (i32.const 8192) (local.get $f0))
      (local.set $sw (i32x4.splat (local.get $swap)))
      (local.set $f0v (f32x4.splat (local.get $f0)))
      (local.set $g0v (f32x4.splat (local.get $g0)))
      ;; endb = 4·min(p, 2p - 2 - step): the last n steps read only the first n places
      (local.set $endb
        (i32.shl
          (select (i32.const 761) (i32.sub (i32.const 1520) (local.get $step))
            (i32.le_u (local.get $step) (i32.const 759)))
          (i32.const 2)))
      ;; f[i] <-> g[i] under the mask, then g[i-1] = f0·g[i] - g0·f[i], for i = 1 .. end
      ;; (the i = 0 term is f0·g0 - g0·f0 = 0); g[i-1] goes where g[i] was, and gp moves up.
      (local.set $i (i32.const 4))
      (loop $fg
        (local.set $a (v128.load offset=8192 (local.get $i)))
        (local.set $b (v128.load (i32.add (local.get $gp) (local.get $i))))
        (local.set $x (v128.and (local.get $sw) (v128.xor (local.get $a) (local.get $b))))
        (local.set $a (v128.xor (local.get $a) (local.get $x)))
        (local.set $b (v128.xor (local.get $b) (local.get $x)))
        (v128.store offset=8192 (local.get $i) (local.get $a))
        (local.set $x (f32x4.sub (f32x4.mul (local.get $f0v) (local.get $b)) (f32x4.mul (local.get $g0v) (local.get $a))))
        (v128.store (i32.add (local.get $gp) (local.get $i))
          (f32x4.sub (local.get $x)
            (f32x4.mul (local.get $q) (f32x4.nearest (f32x4.mul (local.get $x) (local.get $invq))))))
        (br_if $fg (i32.le_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $endb))))
      (local.set $gp (i32.add (local.get $gp) (i32.const 4)))
      ;; v[i] <-> r[i] under the mask, then r[i] = f0·r[i] - g0·v[i], for i = 0 .. min(p, step + 1)
      ;; (v and r are zero beyond step + 1)
      (local.set $liveb
        (i32.shl
          (select (i32.const 761) (i32.add (local.get $step) (i32.const 1))
            (i32.ge_u (local.get $step) (i32.const 760)))
          (i32.const 2)))
      (local.set $i (i32.const 0))
      (loop $vr
        (local.set $a (v128.load (i32.add (local.get $vp) (local.get $i))))
        (local.set $b (v128.load offset=12288 (local.get $i)))
        (local.set $x (v128.and (local.get $sw) (v128.xor (local.get $a) (local.get $b))))
        (local.set $a (v128.xor (local.get $a) (local.get $x)))
        (local.set $b (v128.xor (local.get $b) (local.get $x)))
        (v128.store (i32.add (local.get $vp) (local.get $i)) (local.get $a))
        (local.set $x (f32x4.sub (f32x4.mul (local.get $f0v) (local.get $b)) (f32x4.mul (local.get $g0v) (local.get $a))))
        (v128.store offset=12288 (local.get $i)
          (f32x4.sub (local.get $x)
            (f32x4.mul (local.get $q) (f32x4.nearest (f32x4.mul (local.get $x) (local.get $invq))))))
        (br_if $vr (i32.le_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $liveb))))
      (br_if $steps (i32.lt_u (local.tee $step (i32.add (local.get $step) (i32.const 1))) (i32.const 1521))))
    ;; scale = 1/f[0] = f[0]^(q-2), a fixed-length loop (f[0] is secret)
    (local.set $s (call $freezeQ (f64.promote_f32 (f32.load (i32.const 8192)))))
    (local.set $scale (local.get $s))
    (local.set $i (i32.const 1))
    (loop $pow
      (local.set $scale (call $freezeQ (f64.mul (local.get $s) (local.get $scale))))
      (br_if $pow (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 4589))))
    ;; out[i] = scale · v[760 - i], exactly reduced
    (local.set $i (i32.const 0))
    (loop $out
      (i32.store16 offset=4096 (i32.shl (local.get $i) (i32.const 1))
        (i32.trunc_f64_s
          (call $freezeQ
            (f64.mul (local.get $scale)
              (call $freezeQ
                (f64.promote_f32
                  (f32.load offset=3040 (i32.sub (local.get $vp) (i32.shl (local.get $i) (i32.const 2))))))))))
      (br_if $out (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761)))))
