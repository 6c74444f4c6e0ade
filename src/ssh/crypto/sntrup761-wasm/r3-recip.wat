  ;; r3_recip: 1/g in R/3 for the small g at IN8A, written to OUT as 761 x i8 in -1..1; returns 0,
  ;; or -1 when g is not invertible (then OUT is garbage). sntrup761-poly.ts's r3Recip: the same
  ;; bit-slicing (coefficient i is bit i of an m plane, nonzero, and of an s plane, negative) and
  ;; the same 2p-1 divsteps, with i64 words for the shifts and v128 for the F3 arithmetic. Planes
  ;; at PLANES = 57344, 12 x i64 each: fm +0, fs +96, gm +192, gs +288, vm +384, vs +480,
  ;; rm +576, rs +672. Bits above index p never flow back down and are never read.

  ;; plane |= bit << j (j public)
  (func $setBit (param $plane i32) (param $j i32) (param $bit i32)
    (local $at i32)
    (local.set $at (i32.add (local.get $plane) (i32.shl (i32.shr_u (local.get $j) (i32.const 6)) (i32.const 3))))
    (i64.store (local.get $at)
      (i64.or (i64.load (local.get $at))
        (i64.shl (i64.extend_i32_u (local.get $bit)) (i64.extend_i32_u (local.get $j))))))

  ;; The step's F3 arithmetic, for both pairs (f, g) and (v, r): (a, b) = swap ? (b, a) : (a, b),
  ;; then b += c·a, where c = -g0·f0 is given as the masks cm (c nonzero) and cs (c negative).
  ;; Where both terms of b + c·a are nonzero, equal ones give 2 = -1 (the sign flips) and
  ;; opposite ones cancel:
  ;;   doubled = xm & bm & ~(xs ^ bs);  m = (xm ^ bm) | doubled;
  ;;   s = (xs & ~bm) | (bs & ~xm) | (doubled & ~xs)
  ;; Written out in one function, no calls: before V8 has optimized the kernel (the first key
  ;; generation of a process runs on its baseline compiler), calls passing v128 cost several times
  ;; the arithmetic.
  (func (export "r3_recip") (result i32)
    (local $i i32) (local $j i32) (local $c i32) (local $step i32) (local $delta i32) (local $swap i32)
    (local $f0m i32) (local $f0s i32) (local $g0m i32) (local $g0s i32) (local $k i32)
    (local $sw v128) (local $cm v128) (local $cs v128) (local $t v128) (local $u v128) (local $am v128) (local $as v128)
    (local $bm v128) (local $bs v128) (local $xm v128) (local $xs v128) (local $d v128)
    ;; r = 1; f = x^p - x - 1 reversed: 1, 0, ..., 0, -1, -1
    (i64.store (i32.const 57920) (i64.const 1))
    (call $setBit (i32.const 57344) (i32.const 0) (i32.const 1))
    (call $setBit (i32.const 57344) (i32.const 760) (i32.const 1))
    (call $setBit (i32.const 57344) (i32.const 761) (i32.const 1))
    (call $setBit (i32.const 57440) (i32.const 760) (i32.const 1))
    (call $setBit (i32.const 57440) (i32.const 761) (i32.const 1))
    ;; g = input reversed: -1 and 1 are odd (m), only -1 has bit 1 set (s)
    (loop $in
      (local.set $c (i32.load8_s (local.get $i)))
      (local.set $j (i32.sub (i32.const 760) (local.get $i)))
      (call $setBit (i32.const 57536) (local.get $j) (i32.and (local.get $c) (i32.const 1)))
      (call $setBit (i32.const 57632) (local.get $j) (i32.and (i32.shr_s (local.get $c) (i32.const 1)) (i32.const 1)))
      (br_if $in (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761))))
    (local.set $delta (i32.const 1))
    (loop $steps
      ;; v *= x: every bit of vm (57728) and vs (57824) one place up
      (local.set $k (i32.const 88))
      (loop $up
        (i64.store offset=57728 (local.get $k)
          (i64.or (i64.shl (i64.load offset=57728 (local.get $k)) (i64.const 1))
            (i64.shr_u (i64.load offset=57720 (local.get $k)) (i64.const 63))))
        (i64.store offset=57824 (local.get $k)
          (i64.or (i64.shl (i64.load offset=57824 (local.get $k)) (i64.const 1))
            (i64.shr_u (i64.load offset=57816 (local.get $k)) (i64.const 63))))
        (br_if $up (local.tee $k (i32.sub (local.get $k) (i32.const 8)))))
      (i64.store (i32.const 57728) (i64.shl (i64.load (i32.const 57728)) (i64.const 1)))
      (i64.store (i32.const 57824) (i64.shl (i64.load (i32.const 57824)) (i64.const 1)))
      (local.set $f0m (i32.and (i32.load (i32.const 57344)) (i32.const 1)))
      (local.set $f0s (i32.and (i32.load (i32.const 57440)) (i32.const 1)))
      (local.set $g0m (i32.and (i32.load (i32.const 57536)) (i32.const 1)))
      (local.set $g0s (i32.and (i32.load (i32.const 57632)) (i32.const 1)))
      ;; swap = -1 when delta > 0 and g[0] != 0
      (local.set $swap
        (i32.and (i32.shr_s (i32.sub (i32.const 0) (local.get $delta)) (i32.const 31))
          (i32.sub (i32.const 0) (local.get $g0m))))
      (local.set $delta
        (i32.add (i32.const 1)
          (i32.xor (local.get $delta)
            (i32.and (local.get $swap) (i32.xor (local.get $delta) (i32.sub (i32.const 0) (local.get $delta)))))))
      ;; c = -g0·f0 (f0 = ±1 is its own inverse), symmetric in f0 and g0, so swap-proof
      (local.set $sw (i32x4.splat (local.get $swap)))
      (local.set $cm (i32x4.splat (i32.sub (i32.const 0) (i32.and (local.get $f0m) (local.get $g0m)))))
      (local.set $cs (i32x4.splat (i32.sub (i32.const 0) (i32.and (i32.xor (i32.xor (local.get $f0s) (local.get $g0s)) (i32.const 1)) (i32.const 1)))))
      (local.set $k (i32.const 0))
      (loop $chunks
        ;; (f, g): fm 57344, fs 57440, gm 57536, gs 57632
        (local.set $am (v128.load offset=57344 (local.get $k)))
        (local.set $as (v128.load offset=57440 (local.get $k)))
        (local.set $xm (v128.load offset=57536 (local.get $k)))
        (local.set $xs (v128.load offset=57632 (local.get $k)))
        (local.set $t (v128.and (local.get $sw) (v128.xor (local.get $am) (local.get $xm))))
        (local.set $u (v128.and (local.get $sw) (v128.xor (local.get $as) (local.get $xs))))
        (local.set $am (v128.xor (local.get $am) (local.get $t)))
        (local.set $as (v128.xor (local.get $as) (local.get $u)))
        (local.set $xm (v128.xor (local.get $xm) (local.get $t)))
        (local.set $xs (v128.xor (local.get $xs) (local.get $u)))
        (v128.store offset=57344 (local.get $k) (local.get $am))
        (v128.store offset=57440 (local.get $k) (local.get $as))
        (local.set $bm (v128.and (local.get $am) (local.get $cm)))
        (local.set $bs (v128.and (v128.xor (local.get $as) (local.get $cs)) (local.get $bm)))
        (local.set $d (v128.andnot (v128.and (local.get $xm) (local.get $bm)) (v128.xor (local.get $xs) (local.get $bs))))
        (v128.store offset=57536 (local.get $k) (v128.or (v128.xor (local.get $xm) (local.get $bm)) (local.get $d)))
        (v128.store offset=57632 (local.get $k)
          (v128.or
            (v128.or (v128.andnot (local.get $xs) (local.get $bm)) (v128.andnot (local.get $bs) (local.get $xm)))
            (v128.andnot (local.get $d) (local.get $xs))))
        ;; (v, r): vm 57728, vs 57824, rm 57920, rs 58016
        (local.set $am (v128.load offset=57728 (local.get $k)))
        (local.set $as (v128.load offset=57824 (local.get $k)))
        (local.set $xm (v128.load offset=57920 (local.get $k)))
        (local.set $xs (v128.load offset=58016 (local.get $k)))
        (local.set $t (v128.and (local.get $sw) (v128.xor (local.get $am) (local.get $xm))))
        (local.set $u (v128.and (local.get $sw) (v128.xor (local.get $as) (local.get $xs))))
        (local.set $am (v128.xor (local.get $am) (local.get $t)))
        (local.set $as (v128.xor (local.get $as) (local.get $u)))
        (local.set $xm (v128.xor (local.get $xm) (local.get $t)))
        (local.set $xs (v128.xor (local.get $xs) (local.get $u)))
        (v128.store offset=57728 (local.get $k) (local.get $am))
        (v128.store offset=57824 (local.get $k) (local.get $as))
        (local.set $bm (v128.and (local.get $am) (local.get $cm)))
        (local.set $bs (v128.and (v128.xor (local.get $as) (local.get $cs)) (local.get $bm)))
        (local.set $d (v128.andnot (v128.and (local.get $xm) (local.get $bm)) (v128.xor (local.get $xs) (local.get $bs))))
        (v128.store offset=57920 (local.get $k) (v128.or (v128.xor (local.get $xm) (local.get $bm)) (local.get $d)))
        (v128.store offset=58016 (local.get $k)
          (v128.or
            (v128.or (v128.andnot (local.get $xs) (local.get $bm)) (v128.andnot (local.get $bs) (local.get $xm)))
            (v128.andnot (local.get $d) (local.get $xs))))
        (br_if $chunks (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (i32.const 96))))
      ;; g /= x: every bit of gm (57536) and gs (57632) one place down (bit 0 is now zero)
      (local.set $k (i32.const 0))
      (loop $down
        (i64.store offset=57536 (local.get $k)
          (i64.or (i64.shr_u (i64.load offset=57536 (local.get $k)) (i64.const 1))
            (i64.shl (i64.load offset=57544 (local.get $k)) (i64.const 63))))
        (i64.store offset=57632 (local.get $k)
          (i64.or (i64.shr_u (i64.load offset=57632 (local.get $k)) (i64.const 1))
            (i64.shl (i64.load offset=57640 (local.get $k)) (i64.const 63))))
        (br_if $down (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 8))) (i32.const 88))))
      (i64.store (i32.const 57624) (i64.shr_u (i64.load (i32.const 57624)) (i64.const 1)))
      (i64.store (i32.const 57720) (i64.shr_u (i64.load (i32.const 57720)) (i64.const 1)))
      (br_if $steps (i32.lt_u (local.tee $step (i32.add (local.get $step) (i32.const 1))) (i32.const 1521))))
    ;; inverse[i] = ±v[760 - i], the sign that of f[0] (±1, its own inverse)
    (local.set $f0s (i32.and (i32.load (i32.const 57440)) (i32.const 1)))
    (local.set $i (i32.const 0))
    (loop $out
      (local.set $j (i32.sub (i32.const 760) (local.get $i)))
      (local.set $f0m
        (i32.wrap_i64 (i64.and (i64.shr_u
          (i64.load offset=57728 (i32.shl (i32.shr_u (local.get $j) (i32.const 6)) (i32.const 3)))
          (i64.extend_i32_u (local.get $j))) (i64.const 1))))
      (local.set $g0s
        (i32.xor (local.get $f0s)
          (i32.wrap_i64 (i64.and (i64.shr_u
            (i64.load offset=57824 (i32.shl (i32.shr_u (local.get $j) (i32.const 6)) (i32.const 3)))
            (i64.extend_i32_u (local.get $j))) (i64.const 1)))))
      (i32.store8 offset=4096 (local.get $i)
        (i32.sub (local.get $f0m) (i32.shl (i32.and (local.get $f0m) (local.get $g0s)) (i32.const 1))))
      (br_if $out (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761))))
    ;; 0 when delta = 0 (invertible), else -1
    (i32.shr_s (i32.or (local.get $delta) (i32.sub (i32.const 0) (local.get $delta))) (i32.const 31)))
