# Container image of a Riffle node. Build the jar first: mvn -B -DskipTests package
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 riffle && mkdir -p /data && chown riffle /data
COPY websocket-gateway/target/riffle.jar /opt/riffle/riffle.jar
USER riffle
# A container listens on all its interfaces; what reaches it is decided by the published ports. Auth stays
# off unless asked for (RIFFLE_AUTH=sigv4 with RIFFLE_CREDENTIALS_FILE or RIFFLE_ACCESS_KEY_ID/_SECRET_ACCESS_KEY).
ENV RIFFLE_HOST=0.0.0.0 RIFFLE_DATA_DIR=/data RIFFLE_ALLOW_UNAUTHENTICATED=true
EXPOSE 4567
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/riffle/riffle.jar"]
