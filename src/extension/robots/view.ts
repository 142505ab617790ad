import type * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import type { RobotSummary } from '../../core/dingtalk';
import type { Services } from '../services';
import { COMMAND, VIEW } from '../commandIds';
import { robotNode, type RobotNode } from './node';
import { outcomeWord } from './wording';
import { Emitter } from '../emitter';

/**
 * The Robots section of the DingTalk view: one row per group robot with whether it signs and how its last send
 * ended; inline Send and Remove. With no robot, VS Code shows the welcome line with Add Robot (package.json viewsWelcome).
 */
export class RobotsView implements vscode.TreeDataProvider<RobotNode>, vscode.Disposable {
  private readonly changed = new Emitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly services: Services) {
    this.subscriptions = [
      this.changed,
      services.apis.tree.createTreeView(VIEW.robots, { treeDataProvider: this }),
      services.robots.store.onDidChange(() => this.changed.fire()),
    ];
  }

  getChildren(element?: RobotNode): RobotNode[] {
    return element ? [] : this.services.robots.store.list().map((robot) => robotNode(robot.name));
  }

  getTreeItem(node: RobotNode): vscode.TreeItem {
    const robot = this.services.robots.store.list().find((candidate) => candidate.name === node.name);
    return robot ? this.robotItem(robot) : this.services.apis.tree.item(node.name);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private robotItem(robot: RobotSummary): vscode.TreeItem {
    const item = this.services.apis.tree.item(robot.name);
    item.id = `robot:${robot.name}`;
    const signing = robot.signed ? l10n.t('signed') : l10n.t('not signed');
    const last = robot.lastSend;
    let lastShort = l10n.t('nothing sent yet');
    let lastWords = lastShort;
    if (last) {
      const outcome = last.ok ? l10n.t('sent') : outcomeWord(last.kind);
      const at = new Date(last.at);
      const language = this.services.apis.env.language;
      // The row fits the default sidebar width beside its inline buttons: the outcome first, the time to the minute.
      lastShort = l10n.t('{0} at {1}', outcome, at.toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit' }));
      lastWords = l10n.t('last send {0}: {1}', at.toLocaleTimeString(language), outcome);
    }
    item.description = `${signing} · ${lastShort}`;
    item.iconPath = this.services.apis.window.icon('hubot', last && !last.ok ? 'list.warningForeground' : undefined);
    item.tooltip = `${robot.name}\n${signing}\n${lastWords}`;
    item.contextValue = 'dingtalkRobot';
    item.command = { command: COMMAND.sendRobotMessage, title: l10n.t('Send Robot Message'), arguments: [robotNode(robot.name)] };
    return item;
  }
}
