// Lints Cypher for Neo4j 5 with Neo4j's official offline linter.
// stdin: JSON array of {id, text}; stdout: JSON array of {id, diagnostics:[{severity, message, tags}]}.
// Parameters are discovered with parseParameters and declared, so `$x` is never flagged.
import { lintCypherQuery, parseParameters } from '@neo4j-cypher/language-support';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const items = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const out = items.map(({ id, text }) => {
  const parameters = Object.fromEntries(parseParameters(text, false).map((p) => [p, null]));
  const { diagnostics } = lintCypherQuery(
    text,
    { parameters, defaultLanguage: 'CYPHER 5' },
    { consoleCommandsEnabled: false },
  );
  return {
    id,
    diagnostics: diagnostics.map((d) => ({
      severity: d.severity === 1 ? 'error' : d.severity === 2 ? 'warning' : 'info',
      message: d.message,
      tags: d.tags ?? [],
    })),
  };
});
process.stdout.write(JSON.stringify(out));
