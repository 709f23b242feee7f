package io.riffle.log.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Seals and opens the private part of a version-2 frame (uint16 K | key | data) with a segment's data key.
 * Sealed form: 12-byte random nonce, then AES-256-GCM ciphertext and 16-byte tag. The AAD is the frame's
 * version, offset and arrival, so a sealed body cannot be replayed at another offset. One instance per
 * segment, used by that segment's owner only (Cipher is not thread-safe).
 */
public final class FrameSeal {
    public static final int NONCE = 12;
    public static final int TAG = 16;
    public static final int OVERHEAD = NONCE + TAG;
    private final DataKey key;
    private final Cipher cipher;
    private final ByteBuffer aad = ByteBuffer.allocate(17);

    public FrameSeal(DataKey key) {
        this.key = key;
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM unavailable", e);
        }
    }

    public byte[] seal(byte version, long offset, long arrival, byte[] plain) {
        byte[] out = new byte[NONCE + plain.length + TAG];
        byte[] nonce = new byte[NONCE];
        DataKey.RANDOM.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, 0, NONCE);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(aad(version, offset, arrival));
            cipher.doFinal(plain, 0, plain.length, out, NONCE);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM seal failed", e);
        }
        return out;
    }

    /** The plain bytes, or empty if the tag does not match (treated by callers like a CRC mismatch). */
    public Optional<byte[]> open(byte version, long offset, long arrival, byte[] sealed, int from, int length) {
        if (length < OVERHEAD) {
            return Optional.empty();
        }
        try {
            cipher.init(Cipher.DECRYPT_MODE, key.key(), new GCMParameterSpec(128, sealed, from, NONCE));
            cipher.updateAAD(aad(version, offset, arrival));
            return Optional.of(cipher.doFinal(sealed, from + NONCE, length - NONCE));
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    private byte[] aad(byte version, long offset, long arrival) {
        aad.clear();
        aad.put(version).putLong(offset).putLong(arrival);
        return aad.array();
    }
}
