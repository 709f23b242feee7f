package io.riffle.kinesis;

/** The AWS SDK for Java v2 scenario with CBOR switched off ({@code aws.cborEnabled=false}): JSON 1.1. */
class KinesisSdkJsonIT extends KinesisSdkScenario {
    @Override
    boolean cbor() {
        return false;
    }
}
