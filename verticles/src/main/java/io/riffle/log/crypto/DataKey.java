package io.riffle.log.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.zip.CRC32C;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A segment's AES-256 data key, and its wrapped form stored in the segment's {@code <base>.key} sidecar.
 *
 * <pre>
 * int8     version   1
 * uint16   N         length of the master key ARN in UTF-8
 * N bytes            master key ARN
 * 12 bytes           nonce
 * 48 bytes           AES-256-GCM(master, dataKey) ciphertext and tag; AAD = context (stream + base offset)
 * int32              CRC32C of all bytes above
 * </pre>
 */
public final class DataKey {
    static final SecureRandom RANDOM = new SecureRandom();
    private static final byte VERSION = 1;
    private final String masterArn;
    private final SecretKeySpec key;

    private DataKey(String masterArn, byte[] key) {
        this.masterArn = masterArn;
        this.key = new SecretKeySpec(key, "AES");
    }

    /** A fresh random data key under {@code master}. */
    public static DataKey generate(MasterKey master) {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        return new DataKey(master.arn(), k);
    }

    public String masterArn() {
        return masterArn;
    }

    SecretKeySpec key() {
        return key;
    }

    /** The sidecar bytes; {@code context} binds the wrapped key to its segment (e.g. "stream/shard/base"). */
    public byte[] wrap(MasterKey master, String context) {
        byte[] arn = masterArn.getBytes(StandardCharsets.UTF_8);
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        byte[] sealed = gcm(Cipher.ENCRYPT_MODE, master.material(), nonce, context, key.getEncoded());
        ByteBuffer buf = ByteBuffer.allocate(1 + 2 + arn.length + 12 + sealed.length + 4);
        buf.put(VERSION).putShort((short) arn.length).put(arn).put(nonce).put(sealed);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        return buf.array();
    }

    /** The master key ARN a sidecar names, read without opening it. */
    public static String masterArnOf(byte[] sidecar) throws IOException {
        try {
            ByteBuffer buf = ByteBuffer.wrap(sidecar);
            buf.get();
            byte[] arn = new byte[Short.toUnsignedInt(buf.getShort())];
            buf.get(arn);
            return new String(arn, StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            throw new IOException("key sidecar too short to name its master key", e);
        }
    }

    /** Reads a sidecar; the keyring must hold its master key, enabled. */
    public static DataKey unwrap(byte[] sidecar, Keyring keyring, String context) throws KmsException, CorruptKeyException {
        ByteBuffer buf = ByteBuffer.wrap(sidecar);
        try {
            CRC32C crc = new CRC32C();
            crc.update(sidecar, 0, sidecar.length - 4);
            if ((int) crc.getValue() != buf.getInt(sidecar.length - 4) || buf.get() != VERSION) {
                throw new CorruptKeyException("key sidecar: bad CRC or version");
            }
            byte[] arn = new byte[Short.toUnsignedInt(buf.getShort())];
            buf.get(arn);
            byte[] nonce = new byte[12];
            buf.get(nonce);
            byte[] sealed = new byte[48];
            buf.get(sealed);
            String masterArn = new String(arn, StandardCharsets.UTF_8);
            MasterKey master = keyring.usable(masterArn);
            return new DataKey(masterArn, gcm(Cipher.DECRYPT_MODE, master.material(), nonce, context, sealed));
        } catch (RuntimeException e) {
            throw new CorruptKeyException("key sidecar: " + e);
        }
    }

    private static byte[] gcm(int mode, byte[] master, byte[] nonce, String context, byte[] input) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(master, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(input);
        } catch (GeneralSecurityException e) {
            // A tag mismatch: wrong master key material or a damaged/moved sidecar.
            throw new IllegalStateException("cannot unwrap data key: " + e.getMessage(), e);
        }
    }

    /** A sidecar that cannot be read (damaged, or wrapped under different key material). */
    public static final class CorruptKeyException extends Exception {
        CorruptKeyException(String message) {
            super(message);
        }
    }
}
