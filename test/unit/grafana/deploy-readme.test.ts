/**
 * deploy/README.md "Run the full stack" says what deploy/docker-compose.yml
 * does: the images and the Grafana plugin it names are the ones the file
 * pins, the host ports and addresses it gives are the ones published, the
 * commands use the file and project name the file's own header gives, and the
 * variables it tells the reader to set are the ones the file reads, with the
 * defaults it quotes.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { deployDir } from './dashboards.js';

interface Service {
  image?: string;
  build?: unknown;
  ports?: string[];
  environment?: Record<string, string>;
}

const composeText = readFileSync(join(deployDir, 'docker-compose.yml'), 'utf8');
const services = (parse(composeText) as { services: Record<string, Service> }).services;
const readme = readFileSync(join(deployDir, 'README.md'), 'utf8');
const section = /^## Run the full stack\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';

/** The compose file's `${VAR:-default}` references, values only (comments are not interpolated). */
const defaults = new Map<string, string>();
for (const line of composeText.split('\n')) {
  const value = line.replace(/#.*$/, '');
  for (const m of value.matchAll(/\$\{(\w+):-([^}]*)\}/g)) defaults.set(m[1]!, m[2]!);
}

describe('deploy/README.md "Run the full stack"', () => {
  it('exists', () => {
    expect(section).toMatch(/docker compose/);
  });

  it('names each pulled image with the tag the compose file pins', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.build !== undefined) continue; // the engine is built, not pulled
      expect(section, `${name}: ${s.image}`).toContain(`\`${s.image}\``);
    }
  });

  it('names the Grafana plugin version the compose file installs', () => {
    const [id, version] = services.grafana!.environment!.GF_PLUGINS_PREINSTALL_SYNC!.split('@');
    expect(section).toContain(`\`${id}\``);
    expect(section).toContain(`plugin ${version}`);
  });

  it('lists the published host ports, and the addresses it gives use them', () => {
    const published = Object.values(services)
      .flatMap((s) => s.ports ?? [])
      .map((p) => Number(p.split(':')[0]))
      .sort((a, b) => a - b);
    const listed = /fixed host ports \(([\d, ]+)\)/.exec(section.replace(/\s+/g, ' '))?.[1];
    expect(listed?.split(', ').map(Number)).toEqual(published);
    for (const m of section.matchAll(/localhost:(\d+)/g)) expect(published, m[0]).toContain(Number(m[1]));
    // Producers on the host reach the broker through its advertised EXTERNAL listener.
    expect(section).toContain('KAFKA_BROKERS=localhost:9094');
    expect(services.kafka!.environment!.KAFKA_ADVERTISED_LISTENERS).toContain('EXTERNAL://localhost:9094');
  });

  it("runs the commands with the compose file and project name of the file's own header", () => {
    expect(composeText).toContain('docker compose -p driftwatch -f deploy/docker-compose.yml up -d --build');
    const commands = [...section.matchAll(/docker compose [^`\n]*/g)].map((m) => m[0]).filter((c) => c !== 'docker compose version');
    expect(commands.length).toBeGreaterThan(0);
    for (const c of commands) expect(c).toMatch(/^docker compose -p driftwatch -f deploy\/docker-compose\.yml /);
  });

  it('names every password the compose file reads from the environment, with the defaults it quotes', () => {
    const passwords = [...defaults.keys()].filter((k) => k.endsWith('PASSWORD')).sort();
    expect(passwords).toEqual(['CLICKHOUSE_PASSWORD', 'GRAFANA_ADMIN_PASSWORD', 'GRAFANA_CLICKHOUSE_PASSWORD']);
    for (const v of passwords) expect(section, v).toContain(`\`${v}\``);
    expect(section).toMatch(new RegExp(`password \`${defaults.get('GRAFANA_ADMIN_PASSWORD')}\` \\(or \`\\$GRAFANA_ADMIN_PASSWORD\`\\)`));
    expect(section).toMatch(new RegExp(`password \`${defaults.get('CLICKHOUSE_PASSWORD')}\` \\(or \`\\$CLICKHOUSE_PASSWORD\`\\)`));
    expect(section).toContain(`--user ${services.clickhouse!.environment!.CLICKHOUSE_USER} --password ${defaults.get('CLICKHOUSE_PASSWORD')}`);
  });
});
