# One image for the three services of docker-compose.yml (command-api, projections, query-api);
# each service picks its entry with its command. Without one it runs the all-in-one server.
FROM node:20-bookworm-slim

WORKDIR /app

# dependencies first, so that a source change does not reinstall them
COPY package.json package-lock.json ./
COPY events/package.json events/
COPY platform/package.json platform/
COPY command-api/package.json command-api/
COPY projections/package.json projections/
COPY query-api/package.json query-api/
COPY app/package.json app/
COPY web-vue/package.json web-vue/
COPY widget/package.json widget/
COPY bench/package.json bench/
# devDependencies included: the services run TypeScript through tsx, and vite builds the portal
RUN npm ci && npm cache clean --force

COPY . .
# the portal and the widget are built into the image (query-api serves them)
RUN npm run build \
    && mkdir -p data \
    && chown node:node data

USER node
ENV PORT=3000
EXPOSE 3000
CMD ["node", "--import", "tsx", "app/src/main.ts"]
