  ;; Sampling from 4·p random bytes at RAND = 8192, read as 761 little-endian words (as
  ;; sntrup761-encoding.ts's randomWords): small_from_random and short_from_random write 761 x i8 to OUT.
  ;; The JavaScript versions are cheap once optimized, but the short sampler's sorting network is
  ;; 42,000 compare-exchanges, a few milliseconds before V8 has compiled it.

  ;; a random small polynomial: each coefficient floor(3·(L mod 2^30) / 2^30) - 1
  ;; ((L mod 2^30)·3 < 2^32, so the unsigned i32 product is exact and shr_u floors it)
  (func (export "small_from_random")
    (local $i i32)
    (loop $coefficients
      (i32.store8 offset=4096 (local.get $i)
        (i32.sub
          (i32.shr_u
            (i32.mul (i32.and (i32.load offset=8192 (i32.shl (local.get $i) (i32.const 2))) (i32.const 0x3fffffff)) (i32.const 3))
            (i32.const 30))
          (i32.const 1)))
      (br_if $coefficients (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761)))))

  ;; a random short polynomial (exactly w = 286 coefficients ±1): the first w words tagged
  ;; "nonzero" (bit 0 clear, bit 1 random: ±1), the rest "zero" (low bits 01), sorted by their
  ;; random high bits, the low bits read back. Unsigned order: the top bit flipped, sorted signed.
  (func (export "short_from_random")
    (local $i i32) (local $at i32)
    (loop $tag
      (local.set $at (i32.add (i32.const 8192) (i32.shl (local.get $i) (i32.const 2))))
      (i32.store (local.get $at)
        (i32.xor (i32.const 0x80000000)
          (select
            (i32.and (i32.load (local.get $at)) (i32.const -2))
            (i32.or (i32.and (i32.load (local.get $at)) (i32.const -4)) (i32.const 1))
            (i32.lt_u (local.get $i) (i32.const 286)))))
      (br_if $tag (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761))))
    (call $sort)
    (local.set $i (i32.const 0))
    (loop $read
      (i32.store8 offset=4096 (local.get $i)
        (i32.sub (i32.and (i32.load offset=8192 (i32.shl (local.get $i) (i32.const 2))) (i32.const 3)) (i32.const 1)))
      (br_if $read (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 761)))))

  ;; Sort the 761 i32 at RAND ascending with Batcher's merge exchange (sntrup761-encoding.ts's sortInt32,
  ;; Knuth TAOCP 3, 5.2.2 Algorithm M): which pairs are compared depends only on the length, and
  ;; each compare-exchange is branch-free: c = -1 when b < a, from the sign of b - a, or of b
  ;; alone when a and b differ in sign (b - a may overflow then).
  (func $sort
    (local $p i32) (local $q i32) (local $r i32) (local $d i32) (local $i i32) (local $at i32)
    (local $a i32) (local $b i32) (local $ab i32) (local $c i32)
    (local.set $p (i32.const 512))
    (loop $outer
      (local.set $q (i32.const 512))
      (local.set $r (i32.const 0))
      (local.set $d (local.get $p))
      (loop $pass
        (local.set $i (i32.const 0))
        (block $done
          (loop $pairs
            (br_if $done (i32.ge_s (local.get $i) (i32.sub (i32.const 761) (local.get $d))))
            (if (i32.eq (i32.and (local.get $i) (local.get $p)) (local.get $r))
              (then
                (local.set $at (i32.add (i32.const 8192) (i32.shl (local.get $i) (i32.const 2))))
                (local.set $a (i32.load (local.get $at)))
                (local.set $b (i32.load (i32.add (local.get $at) (i32.shl (local.get $d) (i32.const 2)))))
                (local.set $ab (i32.xor (local.get $a) (local.get $b)))
                (local.set $c (i32.sub (local.get $b) (local.get $a)))
                (local.set $c (i32.xor (local.get $c) (i32.and (local.get $ab) (i32.xor (local.get $c) (local.get $b)))))
                (local.set $c (i32.and (i32.shr_s (local.get $c) (i32.const 31)) (local.get $ab)))
                (i32.store (local.get $at) (i32.xor (local.get $a) (local.get $c)))
                (i32.store (i32.add (local.get $at) (i32.shl (local.get $d) (i32.const 2))) (i32.xor (local.get $b) (local.get $c)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $pairs)))
        (if (i32.ne (local.get $q) (local.get $p))
          (then
            (local.set $d (i32.sub (local.get $q) (local.get $p)))
            (local.set $q (i32.shr_u (local.get $q) (i32.const 1)))
            (local.set $r (local.get $p))
            (br $pass))))
      (br_if $outer (local.tee $p (i32.shr_u (local.get $p) (i32.const 1))))))
