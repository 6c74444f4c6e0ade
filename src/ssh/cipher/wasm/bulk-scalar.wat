;; $bulk for the module built without SIMD (runtimes that reject v128): it takes no chunks, so
;; packet.wat does the whole body one block at a time and Poly1305 after it.
(func $bulk (param $n15 i32) (param $p i32) (param $len i32) (param $ks i32) (result i32)
  (i32.const 0))

;; $p[i] ^= $src[i] for $len bytes, $len a multiple of 8 (never more than 0 here: $bulk takes no chunks).
(func $xor_bytes (param $p i32) (param $src i32) (param $len i32)
  (block $done
    (loop $next
      (br_if $done (i32.eqz (local.get $len)))
      (i64.store (local.get $p) (i64.xor (i64.load (local.get $p)) (i64.load (local.get $src))))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (local.set $src (i32.add (local.get $src) (i32.const 8)))
      (local.set $len (i32.sub (local.get $len) (i32.const 8)))
      (br $next))))
