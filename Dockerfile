# tollgate's container image: built from the lockfile, run as a non-root user, healthy when /readyz says ready.
# Config: mount yours at /etc/tollgate/policy-config.yaml (the example config is there by default).
# State and events: /var/lib/tollgate (TOLLGATE_DATA_DIR), a volume.

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY providers providers
COPY policies policies
COPY bench bench
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    TOLLGATE_DATA_DIR=/var/lib/tollgate
WORKDIR /opt/tollgate
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist/src dist/src
COPY --from=build /src/dist/providers dist/providers
COPY --from=build /src/dist/policies dist/policies
COPY schema schema
COPY policy-config.example.yaml /etc/tollgate/policy-config.yaml
RUN printf '#!/bin/sh\nexec node /opt/tollgate/dist/src/cli/main.js "$@"\n' > /usr/local/bin/tollgate \
    && chmod 0755 /usr/local/bin/tollgate \
    && mkdir -p /var/lib/tollgate \
    && chown node:node /var/lib/tollgate
USER node
VOLUME /var/lib/tollgate
EXPOSE 41002
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:41002/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["tollgate"]
CMD ["run", "--config", "/etc/tollgate/policy-config.yaml", "--host", "0.0.0.0", "--port", "41002"]
