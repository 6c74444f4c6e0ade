  ;; The spec's Encode and Decode (sntrup761-encoding.ts's encode/decode) for 761 values below one modulus,
  ;; iteratively: level by level instead of by recursion, in the same byte order. Both touch only
  ;; public data (public keys, ciphertexts, the rounded h·r that becomes a ciphertext), so they
  ;; may branch and divide on it. Why here: the JavaScript builds arrays per level, and before V8
  ;; has optimized it that costs milliseconds per call.
  ;;
  ;; Encode: values R[i] at ER = 16384 (761 x i32) below moduli M[i] at EM = 22528 (761 x i32);
  ;; neighbours merge into one value below M[i]·M[i+1] (< 2^28), whose low bytes go out while the
  ;; modulus is at least 2^14; the halved list continues; the last value is written in full.
  ;; Bytes to OUT = 4096; returns their count.
  (func $encode (result i32)
    (local $len i32) (local $half i32) (local $i i32) (local $r i32) (local $m i32) (local $out i32)
    (local.set $len (i32.const 761))
    (local.set $out (i32.const 4096))
    (block $last
      (loop $levels
        (br_if $last (i32.eq (local.get $len) (i32.const 1)))
        (local.set $half (i32.shr_u (i32.add (local.get $len) (i32.const 1)) (i32.const 1)))
        (local.set $i (i32.const 0))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $len)))
            (local.set $m (i32.load offset=22528 (i32.shl (local.get $i) (i32.const 2))))
            (local.set $r
              (i32.add (i32.load offset=16384 (i32.shl (local.get $i) (i32.const 2)))
                (i32.mul (i32.load offset=16388 (i32.shl (local.get $i) (i32.const 2))) (local.get $m))))
            (local.set $m (i32.mul (local.get $m) (i32.load offset=22532 (i32.shl (local.get $i) (i32.const 2)))))
            (block $reduced
              (loop $bytes
                (br_if $reduced (i32.lt_u (local.get $m) (i32.const 16384)))
                (i32.store8 (local.get $out) (local.get $r))
                (local.set $out (i32.add (local.get $out) (i32.const 1)))
                (local.set $r (i32.shr_u (local.get $r) (i32.const 8)))
                (local.set $m (i32.shr_u (i32.add (local.get $m) (i32.const 255)) (i32.const 8)))
                (br $bytes)))
            ;; in place: index i/2 is behind every index still to be read
            (i32.store offset=16384 (i32.shl (i32.shr_u (local.get $i) (i32.const 1)) (i32.const 2)) (local.get $r))
            (i32.store offset=22528 (i32.shl (i32.shr_u (local.get $i) (i32.const 1)) (i32.const 2)) (local.get $m))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $pairs)))
        (if (i32.and (local.get $len) (i32.const 1))
          (then
            (i32.store offset=16384 (i32.shl (i32.sub (local.get $half) (i32.const 1)) (i32.const 2))
              (i32.load offset=16384 (i32.shl (i32.sub (local.get $len) (i32.const 1)) (i32.const 2))))
            (i32.store offset=22528 (i32.shl (i32.sub (local.get $half) (i32.const 1)) (i32.const 2))
              (i32.load offset=22528 (i32.shl (i32.sub (local.get $len) (i32.const 1)) (i32.const 2))))))
        (local.set $len (local.get $half))
        (br $levels)))
    (local.set $r (i32.load (i32.const 16384)))
    (local.set $m (i32.load (i32.const 22528)))
    (block $done
      (loop $bytes
        (br_if $done (i32.le_u (local.get $m) (i32.const 1)))
        (i32.store8 (local.get $out) (local.get $r))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))
        (local.set $r (i32.shr_u (local.get $r) (i32.const 8)))
        (local.set $m (i32.shr_u (i32.add (local.get $m) (i32.const 255)) (i32.const 8)))
        (br $bytes)))
    (i32.sub (local.get $out) (i32.const 4096)))

  ;; Encode of the R/q element at IN16 (-2295..2295): value + 2295 below q. Returns 1158.
  (func (export "rq_encode") (result i32)
    (local $i i32)
    (loop $values
      (i32.store offset=16384 (i32.shl (local.get $i) (i32.const 2))
        (i32.add (i32.load16_s offset=2048 (i32.shl (local.get $i) (i32.const 1))) (i32.const 2295)))
      (i32.store offset=22528 (i32.shl (local.get $i) (i32.const 2)) (i32.const 4591))
      (br_if $values (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761))))
    (call $encode))

  ;; Encode of the rounded element at IN16 (multiples of 3 in -2295..2295): (value + 2295)/3, by
  ;; the multiply-shift 10923/2^15, below (q + 2)/3 = 1531. Returns 1007.
  (func (export "rounded_encode") (result i32)
    (local $i i32)
    (loop $values
      (i32.store offset=16384 (i32.shl (local.get $i) (i32.const 2))
        (i32.shr_s
          (i32.mul (i32.add (i32.load16_s offset=2048 (i32.shl (local.get $i) (i32.const 1))) (i32.const 2295)) (i32.const 10923))
          (i32.const 15)))
      (i32.store offset=22528 (i32.shl (local.get $i) (i32.const 2)) (i32.const 1531))
      (br_if $values (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761))))
    (call $encode))

  ;; Decode of the bytes at BYTES = 8192 into 761 values below $m0 each, at DV = 40960 (i32),
  ;; any byte string giving values in range (out-of-range ones reduce), as the reference does.
  ;; Down the levels (each at element offset `off`, length `len`, recorded at LEVELS = 49152):
  ;; each pair's modulus and how many bytes it takes (bottom value at DR = 24576, its scale at
  ;; DT = 32768); the top value from the last bytes; then up: each pair from bottom + scale·top.
  ;; Moduli of level l at DM = 16384 from element offset off_l; the next level's right after.
  (func $decode (param $m0 i32)
    (local $level i32) (local $off i32) (local $len i32) (local $half i32) (local $k i32) (local $at i32)
    (local $m i32) (local $next i32) (local $r i32) (local $mi i32) (local $p i32)
    (loop $fill
      (i32.store offset=16384 (i32.shl (local.get $k) (i32.const 2)) (local.get $m0))
      (br_if $fill (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 1))) (i32.const 761))))
    (local.set $len (i32.const 761))
    (local.set $at (i32.const 8192))
    (block $top
      (loop $down
        (br_if $top (i32.eq (local.get $len) (i32.const 1)))
        (i32.store offset=49152 (i32.shl (local.get $level) (i32.const 3)) (local.get $off))
        (i32.store offset=49156 (i32.shl (local.get $level) (i32.const 3)) (local.get $len))
        (local.set $half (i32.shr_u (i32.add (local.get $len) (i32.const 1)) (i32.const 1)))
        (local.set $next (i32.add (local.get $off) (local.get $len)))
        (local.set $k (i32.const 0))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_u (i32.add (i32.shl (local.get $k) (i32.const 1)) (i32.const 1)) (local.get $len)))
            (local.set $p (i32.shl (i32.add (local.get $off) (local.get $k)) (i32.const 2)))
            (local.set $m
              (i32.mul
                (i32.load offset=16384 (i32.shl (i32.add (local.get $off) (i32.shl (local.get $k) (i32.const 1))) (i32.const 2)))
                (i32.load offset=16388 (i32.shl (i32.add (local.get $off) (i32.shl (local.get $k) (i32.const 1))) (i32.const 2)))))
            (if (i32.gt_u (local.get $m) (i32.const 4194048)) ;; 256·16383
              (then
                (i32.store offset=32768 (local.get $p) (i32.const 65536))
                (i32.store offset=24576 (local.get $p) (i32.load16_u (local.get $at)))
                (local.set $at (i32.add (local.get $at) (i32.const 2)))
                (local.set $m
                  (i32.shr_u (i32.add (i32.shr_u (i32.add (local.get $m) (i32.const 255)) (i32.const 8)) (i32.const 255)) (i32.const 8))))
              (else
                (if (i32.ge_u (local.get $m) (i32.const 16384))
                  (then
                    (i32.store offset=32768 (local.get $p) (i32.const 256))
                    (i32.store offset=24576 (local.get $p) (i32.load8_u (local.get $at)))
                    (local.set $at (i32.add (local.get $at) (i32.const 1)))
                    (local.set $m (i32.shr_u (i32.add (local.get $m) (i32.const 255)) (i32.const 8))))
                  (else
                    (i32.store offset=32768 (local.get $p) (i32.const 1))
                    (i32.store offset=24576 (local.get $p) (i32.const 0))))))
            (i32.store offset=16384 (i32.shl (i32.add (local.get $next) (local.get $k)) (i32.const 2)) (local.get $m))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $pairs)))
        (if (i32.and (local.get $len) (i32.const 1))
          (then
            (i32.store offset=16384 (i32.shl (i32.add (local.get $next) (i32.sub (local.get $half) (i32.const 1))) (i32.const 2))
              (i32.load offset=16384 (i32.shl (i32.add (local.get $off) (i32.sub (local.get $len) (i32.const 1))) (i32.const 2))))))
        (local.set $level (i32.add (local.get $level) (i32.const 1)))
        (local.set $off (local.get $next))
        (local.set $len (local.get $half))
        (br $down)))
    ;; the top value: one or two bytes (none when its modulus is 1), reduced
    (local.set $m (i32.load offset=16384 (i32.shl (local.get $off) (i32.const 2))))
    (i32.store offset=40960 (i32.shl (local.get $off) (i32.const 2))
      (if (result i32) (i32.eq (local.get $m) (i32.const 1))
        (then (i32.const 0))
        (else
          (i32.rem_u
            (if (result i32) (i32.le_u (local.get $m) (i32.const 256))
              (then (i32.load8_u (local.get $at)))
              (else (i32.load16_u (local.get $at))))
            (local.get $m)))))
    ;; up: level l's values from its bottoms and level l+1's values
    (block $bottom
      (loop $up
        (br_if $bottom (i32.eqz (local.get $level)))
        (local.set $level (i32.sub (local.get $level) (i32.const 1)))
        (local.set $off (i32.load offset=49152 (i32.shl (local.get $level) (i32.const 3))))
        (local.set $len (i32.load offset=49156 (i32.shl (local.get $level) (i32.const 3))))
        (local.set $half (i32.shr_u (i32.add (local.get $len) (i32.const 1)) (i32.const 1)))
        (local.set $next (i32.add (local.get $off) (local.get $len)))
        (local.set $k (i32.const 0))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_u (i32.add (i32.shl (local.get $k) (i32.const 1)) (i32.const 1)) (local.get $len)))
            (local.set $p (i32.shl (i32.add (local.get $off) (local.get $k)) (i32.const 2)))
            (local.set $r
              (i32.add (i32.load offset=24576 (local.get $p))
                (i32.mul (i32.load offset=32768 (local.get $p))
                  (i32.load offset=40960 (i32.shl (i32.add (local.get $next) (local.get $k)) (i32.const 2))))))
            (local.set $p (i32.shl (i32.add (local.get $off) (i32.shl (local.get $k) (i32.const 1))) (i32.const 2)))
            (local.set $mi (i32.load offset=16384 (local.get $p)))
            (i32.store offset=40960 (local.get $p) (i32.rem_u (local.get $r) (local.get $mi)))
            (i32.store offset=40964 (local.get $p)
              (i32.rem_u (i32.div_u (local.get $r) (local.get $mi)) (i32.load offset=16388 (local.get $p))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $pairs)))
        (if (i32.and (local.get $len) (i32.const 1))
          (then
            (i32.store offset=40960 (i32.shl (i32.add (local.get $off) (i32.sub (local.get $len) (i32.const 1))) (i32.const 2))
              (i32.load offset=40960 (i32.shl (i32.add (local.get $next) (i32.sub (local.get $half) (i32.const 1))) (i32.const 2))))))
        (br $up))))

  ;; Decode of a public key (1158 bytes at BYTES) into an R/q element: OUT (i16) = value - 2295
  (func (export "rq_decode")
    (local $i i32)
    (call $decode (i32.const 4591))
    (loop $values
      (i32.store16 offset=4096 (i32.shl (local.get $i) (i32.const 1))
        (i32.sub (i32.load offset=40960 (i32.shl (local.get $i) (i32.const 2))) (i32.const 2295)))
      (br_if $values (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761)))))

  ;; Decode of a ciphertext's rounded part (1007 bytes at BYTES): OUT (i16) = 3·value - 2295
  (func (export "rounded_decode")
    (local $i i32)
    (call $decode (i32.const 1531))
    (loop $values
      (i32.store16 offset=4096 (i32.shl (local.get $i) (i32.const 1))
        (i32.sub (i32.mul (i32.load offset=40960 (i32.shl (local.get $i) (i32.const 2))) (i32.const 3)) (i32.const 2295)))
      (br_if $values (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761)))))
