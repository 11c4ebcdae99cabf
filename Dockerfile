# syntax=docker/dockerfile:1
# Build: docker build -t mcpregistry-hook:0.1.0 .
# Stage 1 compiles TypeScript with the dev dependencies; stage 2 holds only dist/ and production dependencies.
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20.20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
# a numeric non-root user, so that runAsNonRoot can verify it
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "dist/server.js"]
