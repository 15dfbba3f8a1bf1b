# kakao-mock as a container: kauth + kapi + the /__mock control plane on port 4000.
#
#   docker build -t kakao-mock .
#   docker run --rm -p 127.0.0.1:4000:4000 -v kakao-mock-data:/data kakao-mock
#
# Published on another port or host name? Tell the mock the URL browsers use (it is also the OIDC
# issuer): -e KAKAO_MOCK_PUBLIC_URL=http://localhost:14000

# ---- build: dev dependencies, TypeScript → dist/
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the tsc build) needs the sources, copied below; no dependency needs
# its install script for the build.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies, dist/ and the files it reads at run time
FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would try to rebuild without TypeScript; no runtime dependency has an
# install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# dist/ resolves these relative to itself: ../views, ../public, ../fixtures.
COPY views ./views
COPY public ./public
COPY fixtures ./fixtures

# The durable store and token snapshot live in /data; created before VOLUME so a new named volume
# starts out owned by the unprivileged user.
RUN mkdir -p /data && chown node:node /data
VOLUME /data

# Listen on every interface of the container (the default, 127.0.0.1, is unreachable from outside).
ENV KAKAO_MOCK_HOST=0.0.0.0 \
    KAKAO_MOCK_PORT=4000 \
    KAKAO_MOCK_DATA=/data
# The control plane (/__mock: reset, time travel, scripted logins, the inspector) answers loopback
# clients only by default, and inside Docker every request from the host arrives from the bridge
# gateway, not loopback: without this the control plane is unusable from the host. It can read
# tokens and impersonate anyone, so with remote access on it requires a token: set
# KAKAO_MOCK_CONTROL_TOKEN=<secret>, or one is generated and printed at startup (docker logs).
# It answers Host names localhost, IP addresses and the public URL's host; add the name other
# containers use: KAKAO_MOCK_CONTROL_ALLOWED_HOSTS=kakao. KAKAO_MOCK_CONTROL=off disables it.
ENV KAKAO_MOCK_CONTROL_ALLOW_REMOTE=true

USER node
EXPOSE 4000
# No curl in the slim image: Node's fetch. Follows KAKAO_MOCK_PORT if it is overridden.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.KAKAO_MOCK_PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 and handles SIGTERM itself (main.ts flushes the store before exiting).
CMD ["node", "dist/main.js"]
