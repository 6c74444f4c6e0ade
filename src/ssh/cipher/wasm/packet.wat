;; chacha20-poly1305@openssh.com, one call per packet (OpenSSH PROTOCOL.chacha20poly1305).
;; Memory layout (fixed offsets, bytes; the JavaScript side writes only the key and the packet):
;;     0 ..   64  key: K_2 (payload, Poly1305 key) in 0..32, K_1 (length) in 32..64, the order of
;;                the 64 derived key bytes
;;    64 ..  128  one scalar keystream block (scratch)
;;   128 ..  192  K_2 block 0; its first 32 bytes are the Poly1305 key
;;   192 ..  208  Poly1305's zero-padded last block
;;   208 ..  224  the tag computed by open
;;   256 ..  384  Poly1305 state (poly1305.wat)
;;  1024 ..       the packet: length(4) || body || tag(16), $len bytes
;;  then, 16-aligned, open's keystream for the body (up to $len bytes)
;; The JavaScript side grows the memory to 1024 + 2 * $len + 32 bytes at least.
;; The 64-bit nonce is the sequence number big-endian: word 14 is 0, word 15 the byte-swapped seq.
;; $bulk (chacha20-simd.wat, or bulk-scalar.wat without SIMD) handles whole 192-byte chunks of the
;; body and Poly1305 blocks in one stitched loop; the rest is done here, block by block.
(memory (export "memory") 5)

;; Where $bulk left the Poly1305 input: the bytes before this address are absorbed.
(global $mac_pos (mut i32) (i32.const 0))

(func $bswap (param $x i32) (result i32)
  (i32.or
    (i32.and (i32.rotl (local.get $x) (i32.const 8)) (i32.const 0x00ff00ff))
    (i32.and (i32.rotr (local.get $x) (i32.const 8)) (i32.const 0xff00ff00))))

;; Encrypt the $len-byte packet at 1024 in place and write its tag over the last 16 bytes.
(func (export "seal") (param $seq i32) (param $len i32)
  (local $n15 i32) (local $end i32) (local $done i32)
  (local.set $n15 (call $bswap (local.get $seq)))
  (local.set $end (i32.add (i32.const 1024) (i32.sub (local.get $len) (i32.const 16))))
  ;; packet_length with K_1 at counter 0
  (call $chacha_xor_scalar (i32.const 32) (i32.const 0) (local.get $n15) (i32.const 0) (i32.const 1024) (i32.const 4))
  ;; Poly1305 key = K_2 block 0
  (call $chacha_block (i32.const 0) (i32.const 0) (local.get $n15) (i32.const 0) (i32.const 128))
  (call $poly_init (i32.const 128))
  (global.set $mac_pos (i32.const 1024))
  ;; the body with K_2 from counter 1, MACed behind the encryption
  (local.set $done (call $bulk (local.get $n15) (i32.const 1028) (i32.sub (local.get $end) (i32.const 1028)) (i32.const 0)))
  (call $chacha_xor_scalar (i32.const 0) (i32.const 0) (local.get $n15)
    (i32.add (i32.const 1) (i32.shr_u (local.get $done) (i32.const 6)))
    (i32.add (i32.const 1028) (local.get $done)) (i32.sub (local.get $end) (i32.add (i32.const 1028) (local.get $done))))
  (call $poly_update (global.get $mac_pos) (i32.sub (local.get $end) (global.get $mac_pos)))
  (call $poly_finish (local.get $end)))

;; Verify the tag of the $len-byte packet at 1024; only if it matches, decrypt length and body in
;; place and return 1. On a mismatch return 0 with the packet untouched (nothing decrypted).
(func (export "open") (param $seq i32) (param $len i32) (result i32)
  (local $n15 i32) (local $end i32) (local $done i32) (local $ks i32)
  (local.set $n15 (call $bswap (local.get $seq)))
  (local.set $end (i32.add (i32.const 1024) (i32.sub (local.get $len) (i32.const 16))))
  (local.set $ks (i32.and (i32.add (local.get $end) (i32.const 31)) (i32.const -16)))
  (call $chacha_block (i32.const 0) (i32.const 0) (local.get $n15) (i32.const 0) (i32.const 128))
  (call $poly_init (i32.const 128))
  (global.set $mac_pos (i32.const 1024))
  ;; MAC the ciphertext while computing (not yet applying) the body's keystream at $ks
  (local.set $done (call $bulk (local.get $n15) (i32.const 1028) (i32.sub (local.get $end) (i32.const 1028)) (local.get $ks)))
  (call $poly_update (global.get $mac_pos) (i32.sub (local.get $end) (global.get $mac_pos)))
  (call $poly_finish (i32.const 208))
  ;; constant time: OR of the XORed halves, one comparison at the end
  (if (i64.ne (i64.const 0)
        (i64.or
          (i64.xor (i64.load offset=208 (i32.const 0)) (i64.load offset=0 (local.get $end)))
          (i64.xor (i64.load offset=216 (i32.const 0)) (i64.load offset=8 (local.get $end)))))
    (then (return (i32.const 0))))
  ;; authentic: decrypt
  (call $xor_bytes (i32.const 1028) (local.get $ks) (local.get $done))
  (call $chacha_xor_scalar (i32.const 0) (i32.const 0) (local.get $n15)
    (i32.add (i32.const 1) (i32.shr_u (local.get $done) (i32.const 6)))
    (i32.add (i32.const 1028) (local.get $done)) (i32.sub (local.get $end) (i32.add (i32.const 1028) (local.get $done))))
  (call $chacha_xor_scalar (i32.const 32) (i32.const 0) (local.get $n15) (i32.const 0) (i32.const 1024) (i32.const 4))
  (i32.const 1))

;; packet_length from its 4 encrypted bytes ($head = those bytes read little-endian).
(func (export "length") (param $seq i32) (param $head i32) (result i32)
  (call $chacha_block (i32.const 32) (i32.const 0) (call $bswap (local.get $seq)) (i32.const 0) (i32.const 64))
  (call $bswap (i32.xor (local.get $head) (i32.load offset=64 (i32.const 0)))))

;; Poly1305 alone (RFC 8439 §2.5): the tag of $len bytes at $m under the 32-byte key at $key, to
;; $out. Not on the packet path; exported so tests can check the MAC against RFC vectors.
(func (export "poly1305") (param $key i32) (param $m i32) (param $len i32) (param $out i32)
  (call $poly_init (local.get $key))
  (call $poly_update (local.get $m) (local.get $len))
  (call $poly_finish (local.get $out)))
