import type pg from 'pg';
import { asNumber, asString } from './json.js';

/** A generated file (`file_gen` event) of a run. */
export interface GeneratedFile {
  path: string;
  sizeBytes: number | null;
  fileType: string | null;
  /** How it was detected: `code_execution`, `tool_call`, `agent_message`, `explicit`. */
  source: string | null;
  agentName: string | null;
  nodeId: string | null;
  executionOrder: number | null;
  sha256: string | null;
  hasContent: boolean;
  truncated: boolean;
  /** Why content was not captured (binary, too large, outside the workspace ...). */
  skipReason: string | null;
  /** The captured content; only loaded when asked for. */
  content?: string | null;
}

/** The run's generated files in execution order; contents only with `withContent`. */
export async function loadFiles(client: pg.ClientBase, runId: string, withContent: boolean): Promise<GeneratedFile[]> {
  const res = await client.query(
    `SELECT outputs->>'file_path' AS path, outputs->>'file_size' AS size, coalesce(outputs->>'file_type', meta->>'file_type') AS file_type,
            meta->>'source' AS source, agent_name, node_id, execution_order, outputs->>'sha256' AS sha256,
            meta->>'has_content' AS has_content, outputs->>'truncated' AS truncated, meta->>'skip_reason' AS skip_reason
            ${withContent ? ", outputs->>'file_content' AS content" : ''}
       FROM execution_events
      WHERE run_id = $1 AND event_type = 'file_gen'
      ORDER BY execution_order NULLS LAST, "timestamp", id`,
    [runId],
  );
  return res.rows.map((r: Record<string, unknown>) => {
    const file: GeneratedFile = {
      path: asString(r['path']) ?? '(unknown path)',
      sizeBytes: asNumber(r['size']),
      fileType: asString(r['file_type']),
      source: asString(r['source']),
      agentName: asString(r['agent_name']),
      nodeId: asString(r['node_id']),
      executionOrder: asNumber(r['execution_order']),
      sha256: asString(r['sha256']),
      hasContent: r['has_content'] === 'true',
      truncated: r['truncated'] === 'true',
      skipReason: asString(r['skip_reason']),
    };
    if (withContent) file.content = asString(r['content']);
    return file;
  });
}
