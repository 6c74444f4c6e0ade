  ;; SHA-512 (FIPS 180-4, 6.4) for sntrup761's hashes (sntrup761.ts's hashPrefix: SHA-512 of a
  ;; prefix byte and some inputs, truncated to 32 bytes; 1 to 10 blocks per hash). Why here:
  ;; @noble/hashes' SHA-512 is fast once optimized, but its first calls in a process take
  ;; milliseconds each, more than the whole key generation in this kernel. Constant time: no
  ;; branch or index depends on the data; the length (public) decides the number of blocks.
  ;;
  ;; Memory: the message at MSG = 16384 (padded in place), the state at HS = 24576 (8 x i64), the
  ;; schedule at HW = 24640 (80 x i64), the round constants at KT = 64896 (80 x i64, to the end of
  ;; the page), written once by the start function: the loader zeroes only the memory below KT.

  ;; K: the first 64 bits of the fractional parts of the cube roots of the first 80 primes
  (func $sha512Constants
    (i64.store offset=64896 (i32.const 0) (i64.const 0x428a2f98d728ae22))
    (i64.store offset=64904 (i32.const 0) (i64.const 0x7137449123ef65cd))
    (i64.store offset=64912 (i32.const 0) (i64.const 0xb5c0fbcfec4d3b2f))
    (i64.store offset=64920 (i32.const 0) (i64.const 0xe9b5dba58189dbbc))
    (i64.store offset=64928 (i32.const 0) (i64.const 0x3956c25bf348b538))
    (i64.store offset=64936 (i32.const 0) (i64.const 0x59f111f1b605d019))
    (i64.store offset=64944 (i32.const 0) (i64.const 0x923f82a4af194f9b))
    (i64.store offset=64952 (i32.const 0) (i64.const 0xab1c5ed5da6d8118))
    (i64.store offset=64960 (i32.const 0) (i64.const 0xd807aa98a3030242))
    (i64.store offset=64968 (i32.const 0) (i64.const 0x12835b0145706fbe))
    (i64.store offset=64976 (i32.const 0) (i64.const 0x243185be4ee4b28c))
    (i64.store offset=64984 (i32.const 0) (i64.const 0x550c7dc3d5ffb4e2))
    (i64.store offset=64992 (i32.const 0) (i64.const 0x72be5d74f27b896f))
    (i64.store offset=65000 (i32.const 0) (i64.const 0x80deb1fe3b1696b1))
    (i64.store offset=65008 (i32.const 0) (i64.const 0x9bdc06a725c71235))
    (i64.store offset=65016 (i32.const 0) (i64.const 0xc19bf174cf692694))
    (i64.store offset=65024 (i32.const 0) (i64.const 0xe49b69c19ef14ad2))
    (i64.store offset=65032 (i32.const 0) (i64.const 0xefbe4786384f25e3))
    (i64.store offset=65040 (i32.const 0) (i64.const 0x0fc19dc68b8cd5b5))
    (i64.store offset=65048 (i32.const 0) (i64.const 0x240ca1cc77ac9c65))
    (i64.store offset=65056 (i32.const 0) (i64.const 0x2de92c6f592b0275))
    (i64.store offset=65064 (i32.const 0) (i64.const 0x4a7484aa6ea6e483))
    (i64.store offset=65072 (i32.const 0) (i64.const 0x5cb0a9dcbd41fbd4))
    (i64.store offset=65080 (i32.const 0) (i64.const 0x76f988da831153b5))
    (i64.store offset=65088 (i32.const 0) (i64.const 0x983e5152ee66dfab))
    (i64.store offset=65096 (i32.const 0) (i64.const 0xa831c66d2db43210))
    (i64.store offset=65104 (i32.const 0) (i64.const 0xb00327c898fb213f))
    (i64.store offset=65112 (i32.const 0) (i64.const 0xbf597fc7beef0ee4))
    (i64.store offset=65120 (i32.const 0) (i64.const 0xc6e00bf33da88fc2))
    (i64.store offset=65128 (i32.const 0) (i64.const 0xd5a79147930aa725))
    (i64.store offset=65136 (i32.const 0) (i64.const 0x06ca6351e003826f))
    (i64.store offset=65144 (i32.const 0) (i64.const 0x142929670a0e6e70))
    (i64.store offset=65152 (i32.const 0) (i64.const 0x27b70a8546d22ffc))
    (i64.store offset=65160 (i32.const 0) (i64.const 0x2e1b21385c26c926))
    (i64.store offset=65168 (i32.const 0) (i64.const 0x4d2c6dfc5ac42aed))
    (i64.store offset=65176 (i32.const 0) (i64.const 0x53380d139d95b3df))
    (i64.store offset=65184 (i32.const 0) (i64.const 0x650a73548baf63de))
    (i64.store offset=65192 (i32.const 0) (i64.const 0x766a0abb3c77b2a8))
    (i64.store offset=65200 (i32.const 0) (i64.const 0x81c2c92e47edaee6))
    (i64.store offset=65208 (i32.const 0) (i64.const 0x92722c851482353b))
    (i64.store offset=65216 (i32.const 0) (i64.const 0xa2bfe8a14cf10364))
    (i64.store offset=65224 (i32.const 0) (i64.const 0xa81a664bbc423001))
    (i64.store offset=65232 (i32.const 0) (i64.const 0xc24b8b70d0f89791))
    (i64.store offset=65240 (i32.const 0) (i64.const 0xc76c51a30654be30))
    (i64.store offset=65248 (i32.const 0) (i64.const 0xd192e819d6ef5218))
    (i64.store offset=65256 (i32.const 0) (i64.const 0xd69906245565a910))
    (i64.store offset=65264 (i32.const 0) (i64.const 0xf40e35855771202a))
    (i64.store offset=65272 (i32.const 0) (i64.const 0x106aa07032bbd1b8))
    (i64.store offset=65280 (i32.const 0) (i64.const 0x19a4c116b8d2d0c8))
    (i64.store offset=65288 (i32.const 0) (i64.const 0x1e376c085141ab53))
    (i64.store offset=65296 (i32.const 0) (i64.const 0x2748774cdf8eeb99))
    (i64.store offset=65304 (i32.const 0) (i64.const 0x34b0bcb5e19b48a8))
    (i64.store offset=65312 (i32.const 0) (i64.const 0x391c0cb3c5c95a63))
    (i64.store offset=65320 (i32.const 0) (i64.const 0x4ed8aa4ae3418acb))
    (i64.store offset=65328 (i32.const 0) (i64.const 0x5b9cca4f7763e373))
    (i64.store offset=65336 (i32.const 0) (i64.const 0x682e6ff3d6b2b8a3))
    (i64.store offset=65344 (i32.const 0) (i64.const 0x748f82ee5defb2fc))
    (i64.store offset=65352 (i32.const 0) (i64.const 0x78a5636f43172f60))
    (i64.store offset=65360 (i32.const 0) (i64.const 0x84c87814a1f0ab72))
    (i64.store offset=65368 (i32.const 0) (i64.const 0x8cc702081a6439ec))
    (i64.store offset=65376 (i32.const 0) (i64.const 0x90befffa23631e28))
    (i64.store offset=65384 (i32.const 0) (i64.const 0xa4506cebde82bde9))
    (i64.store offset=65392 (i32.const 0) (i64.const 0xbef9a3f7b2c67915))
    (i64.store offset=65400 (i32.const 0) (i64.const 0xc67178f2e372532b))
    (i64.store offset=65408 (i32.const 0) (i64.const 0xca273eceea26619c))
    (i64.store offset=65416 (i32.const 0) (i64.const 0xd186b8c721c0c207))
    (i64.store offset=65424 (i32.const 0) (i64.const 0xeada7dd6cde0eb1e))
    (i64.store offset=65432 (i32.const 0) (i64.const 0xf57d4f7fee6ed178))
    (i64.store offset=65440 (i32.const 0) (i64.const 0x06f067aa72176fba))
    (i64.store offset=65448 (i32.const 0) (i64.const 0x0a637dc5a2c898a6))
    (i64.store offset=65456 (i32.const 0) (i64.const 0x113f9804bef90dae))
    (i64.store offset=65464 (i32.const 0) (i64.const 0x1b710b35131c471b))
    (i64.store offset=65472 (i32.const 0) (i64.const 0x28db77f523047d84))
    (i64.store offset=65480 (i32.const 0) (i64.const 0x32caab7b40c72493))
    (i64.store offset=65488 (i32.const 0) (i64.const 0x3c9ebe0a15c9bebc))
    (i64.store offset=65496 (i32.const 0) (i64.const 0x431d67c49c100d4c))
    (i64.store offset=65504 (i32.const 0) (i64.const 0x4cc5d4becb3e42b6))
    (i64.store offset=65512 (i32.const 0) (i64.const 0x597f299cfc657e2a))
    (i64.store offset=65520 (i32.const 0) (i64.const 0x5fcb6fab3ad6faec))
    (i64.store offset=65528 (i32.const 0) (i64.const 0x6c44198c4a475817))
  )
  (start $sha512Constants)

  ;; the two 64-bit words of x, each byte-reversed (SHA-512's words are big-endian)
  (func $bswap2 (param $x v128) (result v128)
    (i8x16.shuffle 7 6 5 4 3 2 1 0 15 14 13 12 11 10 9 8 (local.get $x) (local.get $x)))

  ;; one 128-byte block at $block into the state at HS
  (func $sha512Block (param $block i32)
    (local $t i32) (local $x i64) (local $y i64) (local $t1 i64) (local $t2 i64)
    (local $a i64) (local $b i64) (local $c i64) (local $d i64) (local $e i64) (local $f i64) (local $g i64) (local $h i64)
    ;; W[0..15]: the block's big-endian words
    (loop $words
      (v128.store offset=24640 (local.get $t) (call $bswap2 (v128.load (i32.add (local.get $block) (local.get $t)))))
      (br_if $words (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 16))) (i32.const 128))))
    ;; W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], t = 16 .. 79 (t in bytes here)
    (loop $schedule
      (local.set $x (i64.load offset=24520 (local.get $t))) ;; W[t-15]: 24640 - 120
      (local.set $y (i64.load offset=24624 (local.get $t))) ;; W[t-2]: 24640 - 16
      (i64.store offset=24640 (local.get $t)
        (i64.add
          (i64.add
            (i64.xor (i64.xor (i64.rotr (local.get $y) (i64.const 19)) (i64.rotr (local.get $y) (i64.const 61))) (i64.shr_u (local.get $y) (i64.const 6)))
            (i64.load offset=24584 (local.get $t))) ;; W[t-7]: 24640 - 56
          (i64.add
            (i64.xor (i64.xor (i64.rotr (local.get $x) (i64.const 1)) (i64.rotr (local.get $x) (i64.const 8))) (i64.shr_u (local.get $x) (i64.const 7)))
            (i64.load offset=24512 (local.get $t))))) ;; W[t-16]: 24640 - 128
      (br_if $schedule (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 8))) (i32.const 640))))
    (local.set $a (i64.load offset=24576 (i32.const 0)))
    (local.set $b (i64.load offset=24584 (i32.const 0)))
    (local.set $c (i64.load offset=24592 (i32.const 0)))
    (local.set $d (i64.load offset=24600 (i32.const 0)))
    (local.set $e (i64.load offset=24608 (i32.const 0)))
    (local.set $f (i64.load offset=24616 (i32.const 0)))
    (local.set $g (i64.load offset=24624 (i32.const 0)))
    (local.set $h (i64.load offset=24632 (i32.const 0)))
    (local.set $t (i32.const 0))
    (loop $rounds
      ;; T1 = h + S1(e) + Ch(e, f, g) + K[t] + W[t];  T2 = S0(a) + Maj(a, b, c)
      (local.set $t1
        (i64.add
          (i64.add (local.get $h)
            (i64.xor (i64.xor (i64.rotr (local.get $e) (i64.const 14)) (i64.rotr (local.get $e) (i64.const 18))) (i64.rotr (local.get $e) (i64.const 41))))
          (i64.add
            (i64.xor (i64.and (local.get $e) (local.get $f)) (i64.and (i64.xor (local.get $e) (i64.const -1)) (local.get $g)))
            (i64.add (i64.load offset=64896 (local.get $t)) (i64.load offset=24640 (local.get $t))))))
      (local.set $t2
        (i64.add
          (i64.xor (i64.xor (i64.rotr (local.get $a) (i64.const 28)) (i64.rotr (local.get $a) (i64.const 34))) (i64.rotr (local.get $a) (i64.const 39)))
          (i64.xor (i64.xor (i64.and (local.get $a) (local.get $b)) (i64.and (local.get $a) (local.get $c))) (i64.and (local.get $b) (local.get $c)))))
      (local.set $h (local.get $g))
      (local.set $g (local.get $f))
      (local.set $f (local.get $e))
      (local.set $e (i64.add (local.get $d) (local.get $t1)))
      (local.set $d (local.get $c))
      (local.set $c (local.get $b))
      (local.set $b (local.get $a))
      (local.set $a (i64.add (local.get $t1) (local.get $t2)))
      (br_if $rounds (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 8))) (i32.const 640))))
    (i64.store offset=24576 (i32.const 0) (i64.add (i64.load offset=24576 (i32.const 0)) (local.get $a)))
    (i64.store offset=24584 (i32.const 0) (i64.add (i64.load offset=24584 (i32.const 0)) (local.get $b)))
    (i64.store offset=24592 (i32.const 0) (i64.add (i64.load offset=24592 (i32.const 0)) (local.get $c)))
    (i64.store offset=24600 (i32.const 0) (i64.add (i64.load offset=24600 (i32.const 0)) (local.get $d)))
    (i64.store offset=24608 (i32.const 0) (i64.add (i64.load offset=24608 (i32.const 0)) (local.get $e)))
    (i64.store offset=24616 (i32.const 0) (i64.add (i64.load offset=24616 (i32.const 0)) (local.get $f)))
    (i64.store offset=24624 (i32.const 0) (i64.add (i64.load offset=24624 (i32.const 0)) (local.get $g)))
    (i64.store offset=24632 (i32.const 0) (i64.add (i64.load offset=24632 (i32.const 0)) (local.get $h))))

  ;; SHA-512 of the $len bytes at MSG (below 2^29), its 64 bytes to OUT
  (func (export "sha512") (param $len i32)
    (local $end i32) (local $at i32)
    ;; padding: 0x80, zeros (the memory is zero past the message), the length in bits as a
    ;; 128-bit big-endian number ending a block
    (i32.store8 offset=16384 (local.get $len) (i32.const 0x80))
    (local.set $end (i32.and (i32.add (local.get $len) (i32.const 144)) (i32.const -128)))
    (i64.store offset=16376 (local.get $end) ;; MSG - 8
      (i64x2.extract_lane 0 (call $bswap2 (i64x2.splat (i64.shl (i64.extend_i32_u (local.get $len)) (i64.const 3))))))
    ;; H(0): the first 64 bits of the fractional parts of the square roots of the first 8 primes
    (i64.store offset=24576 (i32.const 0) (i64.const 0x6a09e667f3bcc908))
    (i64.store offset=24584 (i32.const 0) (i64.const 0xbb67ae8584caa73b))
    (i64.store offset=24592 (i32.const 0) (i64.const 0x3c6ef372fe94f82b))
    (i64.store offset=24600 (i32.const 0) (i64.const 0xa54ff53a5f1d36f1))
    (i64.store offset=24608 (i32.const 0) (i64.const 0x510e527fade682d1))
    (i64.store offset=24616 (i32.const 0) (i64.const 0x9b05688c2b3e6c1f))
    (i64.store offset=24624 (i32.const 0) (i64.const 0x1f83d9abfb41bd6b))
    (i64.store offset=24632 (i32.const 0) (i64.const 0x5be0cd19137e2179))
    (loop $blocks
      (call $sha512Block (i32.add (i32.const 16384) (local.get $at)))
      (br_if $blocks (i32.lt_u (local.tee $at (i32.add (local.get $at) (i32.const 128))) (local.get $end))))
    (local.set $at (i32.const 0))
    (loop $digest
      (v128.store offset=4096 (local.get $at) (call $bswap2 (v128.load offset=24576 (local.get $at))))
      (br_if $digest (i32.lt_u (local.tee $at (i32.add (local.get $at) (i32.const 16))) (i32.const 64)))))
