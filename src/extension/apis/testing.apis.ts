import * as vscode from 'vscode';
import type { Disposable } from '../emitter';

/** What a run reports about each test item (vscode.TestRun). */
export type TestRunHandle = Pick<vscode.TestRun, 'started' | 'passed' | 'failed' | 'errored' | 'end'>;

/** A test controller in the Testing view, narrowed to what the extension does with it (vscode.TestController). */
export interface TestControllerHandle extends Disposable {
  readonly items: vscode.TestItemCollection;
  createTestItem(id: string, label: string, uri?: vscode.Uri): vscode.TestItem;
  /** The default Run profile: the view's and the gutter's run buttons call `handler`. */
  onRun(label: string, handler: (request: vscode.TestRunRequest, cancel: vscode.CancellationToken) => void): void;
  /** The view's refresh button. */
  onRefresh(handler: () => Promise<void>): void;
  createTestRun(request: vscode.TestRunRequest): TestRunHandle;
}

/** VS Code's Testing view (vscode.tests) and the values its items and messages carry. */
export interface TestingApis {
  createController(id: string, label: string): TestControllerHandle;
  /** The start of a line (0-based), where an item sits in its file. */
  lineStart(line: number): vscode.Range;
  /** A failure message, shown at the start of a line (0-based) of a file when `at` is given. */
  message(text: string, at?: { uri: vscode.Uri; line: number }): vscode.TestMessage;
}

export function createTestingApis(): TestingApis {
  return {
    createController: (id, label) => {
      const controller = vscode.tests.createTestController(id, label);
      return {
        items: controller.items,
        createTestItem: (itemId, itemLabel, uri) => controller.createTestItem(itemId, itemLabel, uri),
        onRun: (profileLabel, handler) => void controller.createRunProfile(profileLabel, vscode.TestRunProfileKind.Run, handler, true),
        onRefresh: (handler) => (controller.refreshHandler = handler),
        createTestRun: (request) => controller.createTestRun(request),
        dispose: () => controller.dispose(),
      };
    },
    lineStart: (line) => new vscode.Range(line, 0, line, 0),
    message: (text, at) => {
      const message = new vscode.TestMessage(text);
      if (at) message.location = new vscode.Location(at.uri, new vscode.Position(at.line, 0));
      return message;
    },
  };
}
