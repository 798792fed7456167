// What the numbers were taken on: cores, CPU model, Node, and how busy the machine was.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

export interface Machine {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly loadAverage: readonly number[];
}

export function machine(): Machine {
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // Not Linux: the bench's /proc readings will say so louder.
  }
  return { nproc: availableParallelism(), cpuModel, node: process.version, loadAverage: loadavg() };
}

export function describeMachine(m: Machine): string {
  const load = m.loadAverage.map((l) => l.toFixed(2)).join(' ');
  return `${m.nproc} cores (${m.cpuModel}), Node ${m.node}, load average ${load}`;
}
