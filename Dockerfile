# connpay-sandbox: one image with the three binaries (connpay-gateway, party-server, mobile-client) and the
# scenario files. The command chooses the party; the gateway is the default:
#
#   docker build -t connpay-sandbox .
#   docker run --rm -p 127.0.0.1:8080:8080 connpay-sandbox                      # the gateway
#   docker run --rm -p 127.0.0.1:8081:8081 connpay-sandbox party-server         # the Connecting Party server
#   docker run --rm connpay-sandbox mobile-client run scenarios                 # every scenario, embedded servers
#
# Stages: `runtime` (the default, last) compiles the binaries in `build`; `runtime-prebuilt` takes binaries
# built elsewhere from CONTEXT/bin/ (tests/compose/run.sh uses it, as no Rust image can be pulled there):
#
#   docker build --target runtime-prebuilt -t connpay-sandbox -f Dockerfile CONTEXT   # CONTEXT: bin/, scenarios/
#
# BuildKit (Docker's builder since 23.0) and podman build only the stages the target needs; the legacy
# builder would also build runtime-prebuilt for `docker build .` and fail on the missing bin/.
#
# The binaries link glibc only (no OpenSSL), so the runtime base must be Debian bookworm or newer.

# The toolchain CI builds and tests with; the workspace's rust-version (1.88) is the floor.
ARG RUST_VERSION=1.95
ARG RUNTIME_BASE=debian:bookworm-slim

# ---- what every runtime stage shares: the user, the directories, the scenarios, the defaults
FROM ${RUNTIME_BASE} AS runtime-base
# A fixed uid/gid, so a bind-mounted directory can be given to it (`chown 10001 DIR`).
# (-K: 10001 is above the system range that login.defs sets, on purpose: no clash with a host's own users.)
RUN groupadd --system --gid 10001 -K SYS_GID_MAX=10001 connpay \
    && useradd --system --uid 10001 --gid 10001 -K SYS_UID_MAX=10001 --no-create-home \
        --home-dir /var/lib/connpay-sandbox --shell /usr/sbin/nologin connpay \
    && mkdir -p /var/lib/connpay-sandbox/gateway /var/lib/connpay-sandbox/party /reports \
    && chown -R 10001:10001 /var/lib/connpay-sandbox /reports
COPY scenarios/ /usr/share/connpay-sandbox/scenarios/
# `mobile-client run` reads `scenarios` (relative) by default.
WORKDIR /usr/share/connpay-sandbox
# Inside a container the servers listen on every interface; outside, their defaults stay 127.0.0.1.
ENV GATEWAY_LISTEN=0.0.0.0:8080 \
    PARTY_LISTEN=0.0.0.0:8081
EXPOSE 8080 8081
USER 10001:10001
# The binary checks itself (no curl in the image); it reads GATEWAY_LISTEN to know where. Services that run
# party-server say `party-server healthcheck` instead (see docker-compose.yml).
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
    CMD ["connpay-gateway", "healthcheck"]
# Exec form: the binary is PID 1 and gets `docker stop`'s SIGTERM itself; both servers stop gracefully on
# it (no --init needed: they start no child processes). CMD rather than ENTRYPOINT, so that
# `docker run IMAGE party-server …` or `… mobile-client run` picks another binary of the same image.
CMD ["connpay-gateway"]

# ---- the runtime image from binaries built outside (CI here builds them on the host)
FROM runtime-base AS runtime-prebuilt
COPY bin/connpay-gateway bin/party-server bin/mobile-client /usr/local/bin/

# ---- the Rust build stage (not exercised by CI here: `rust:` images cannot be pulled there)
FROM rust:${RUST_VERSION}-bookworm AS build
WORKDIR /src
COPY . .
# Without the release profile's line tables: they would be half of the image.
ENV CARGO_PROFILE_RELEASE_DEBUG=false
RUN cargo build --release --locked -p connpay --bins

# ---- the runtime image built from source (the default target)
FROM runtime-base AS runtime
COPY --from=build /src/target/release/connpay-gateway /src/target/release/party-server \
    /src/target/release/mobile-client /usr/local/bin/
