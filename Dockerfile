# Container image of a Riffle node. Build the jar first: mvn -B -DskipTests package
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 riffle && mkdir -p /data && chown riffle /data
COPY websocket-gateway/target/riffle.jar /opt/riffle/riffle.jar
USER riffle
ENV RIFFLE_HOST=0.0.0.0 RIFFLE_DATA_DIR=/data
EXPOSE 4567
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/riffle/riffle.jar"]
