package io.riffle.kinesis;

/** The AWS SDK for Java v2 scenario with the SDK's default encoding, CBOR. */
class KinesisSdkCborIT extends KinesisSdkScenario {
    @Override
    boolean cbor() {
        return true;
    }
}
