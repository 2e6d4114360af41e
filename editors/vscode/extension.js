// The authzc extension: starts `authzc lsp` and hands it .authz files and
// the project's schema.json and authzc.json.  Everything else (diagnostics,
// hover, completion, formatting...) is the server's (authzc-lsp(1)).
'use strict';
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const cfg = vscode.workspace.getConfiguration('authzc');
  const args = ['lsp', '--debounce', String(cfg.get('debounce', 20))];
  if (!cfg.get('lintOnSave', true)) args.push('--no-lint');
  const run = { command: cfg.get('path', 'authzc'), args, transport: TransportKind.stdio };
  client = new LanguageClient('authzc', 'authzc', { run, debug: run }, {
    documentSelector: [
      { scheme: 'file', language: 'authz' },
      { scheme: 'file', pattern: '**/schema.json' },
      { scheme: 'file', pattern: '**/authzc.json' },
    ],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.authz,schema.json,authzc.json}'),
    },
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
