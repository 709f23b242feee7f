package io.riffle.gateway.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetServerOptions;
import org.junit.jupiter.api.Test;

class FrontDoorTransportTest {
    @Test
    void httpAndTlsServersAreGuardedAndTheClusteredEventBusIsNot() {
        assertThat(FrontDoorTransport.guards(new HttpServerOptions().setPort(4567))).isTrue();
        assertThat(FrontDoorTransport.guards(new NetServerOptions().setSsl(true))).isTrue();
        // How the clustered event bus builds its server's options.
        NetServerOptions eventBus = new NetServerOptions(new EventBusOptions().setHost("127.0.0.1").toJson());
        assertThat(FrontDoorTransport.guards(eventBus)).isFalse();
    }
}
