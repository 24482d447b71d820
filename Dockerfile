# The service image for docker-compose.yml: build once, then `npm run setup` and `npm start` from dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY console/package.json ./console/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
COPY console ./console
# Server into dist/, the web console (Vite) into dist/console.
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
EXPOSE 3000
# setup as DATABASE_URL's owner (migrations, the service role's grants), then the service as DATABASE_APP_ROLE.
CMD ["sh", "-c", "node dist/src/cli/setup.js && node dist/src/main.js"]
