// A playbook's steps as a layered graph drawn with React Flow: read-only on the playbook and
// instance pages (optionally coloured by step state or by a bottleneck heat value), and the
// canvas of the designer when `onConnect` / `onDisconnect` are given. Dependencies are resolved
// the way the engine does (crates/core/src/engine/dependencies.rs), layers are computed here
// (longest path from the start, then a barycenter pass to untangle each layer).
//
// This module is only ever loaded lazily: it carries React Flow and its stylesheet.
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import {
  Background,
  Controls,
  Handle,
  MarkerType,
  Panel,
  Position,
  ReactFlow,
  applyEdgeChanges,
  applyNodeChanges,
  useNodesInitialized,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
  type NodeProps,
} from '@xyflow/react';
import type { Schemas } from '../api/client';

type Step = Schemas['PlaybookStep'];
type Direction = 'LR' | 'TB';

/** The id a step is drawn under: its own, or a stand-in for a step the server has not named yet. */
export const stepKey = (step: Step, index: number) => step.id || `step-${index + 1}`;

/**
 * The dependencies each step would get from its place in the list (the engine's rule): the step
 * before it, except that a run of consecutive `parallel` steps all depend on the step before the
 * run, and the step after the run depends on all of them.
 */
export function implicitDependencies(steps: Step[]): string[][] {
  const out: string[][] = [];
  let beforeRun: string[] = [];
  let previous: string[] = [];
  let inRun = false;
  steps.forEach((step, i) => {
    const parallel = step.execution_type === 'parallel';
    if (parallel && !inRun) beforeRun = previous;
    out.push(parallel ? [...beforeRun] : [...previous]);
    const id = stepKey(step, i);
    previous = parallel ? (inRun ? [...previous, id] : [id]) : [id];
    inRun = parallel;
  });
  return out;
}

/** Each step's dependencies: the explicit ones (sorted, without repeats), else the implicit ones. */
export function resolveDependencies(steps: Step[]): string[][] {
  const implicit = implicitDependencies(steps);
  return steps.map((s, i) => (s.dependencies ? [...new Set(s.dependencies)].sort() : implicit[i]));
}

/** Column (layer) and row of every step: a step sits one layer after its latest dependency. */
export function layout(steps: Step[], deps: string[][]): { layer: number[]; row: number[] } {
  const index = new Map(steps.map((s, i) => [stepKey(s, i), i]));
  const parents = deps.map((ds) => ds.map((d) => index.get(d)).filter((j): j is number => j !== undefined));
  const layer = new Array<number>(steps.length).fill(-1);
  const onPath = new Set<number>();
  const depth = (i: number): number => {
    if (layer[i] >= 0) return layer[i];
    if (onPath.has(i)) return 0; // a cycle (the designer may draw one before the server refuses it)
    onPath.add(i);
    const d = parents[i].reduce((m, j) => Math.max(m, depth(j) + 1), 0);
    onPath.delete(i);
    layer[i] = d;
    return d;
  };
  steps.forEach((_, i) => depth(i));

  const byLayer: number[][] = [];
  steps.forEach((_, i) => (byLayer[layer[i]] ??= []).push(i));
  const row = new Array<number>(steps.length).fill(0);
  byLayer.forEach((members, l) => {
    if (l > 0) {
      // order a layer by where its dependencies sit, keeping list order on ties
      const centre = (i: number) => {
        const ps = parents[i].filter((j) => layer[j] < l);
        return ps.length ? ps.reduce((s, j) => s + row[j] - (byLayer[layer[j]].length - 1) / 2, 0) / ps.length : 0;
      };
      members.sort((a, b) => centre(a) - centre(b) || a - b);
    }
    members.forEach((i, r) => (row[i] = r));
  });
  // rows centred around 0 so that a layer of one sits in line with its neighbours
  steps.forEach((_, i) => (row[i] -= (byLayer[layer[i]].length - 1) / 2));
  return { layer, row };
}

const STATE_TONE: Record<string, { border: string; badge: string }> = {
  pending: { border: '#64748b', badge: 'bg-slate-100 text-slate-800' },
  running: { border: '#1d4ed8', badge: 'bg-blue-100 text-blue-900' },
  awaiting_approval: { border: '#b45309', badge: 'bg-amber-100 text-amber-900' },
  completed: { border: '#15803d', badge: 'bg-green-100 text-green-900' },
  failed: { border: '#b91c1c', badge: 'bg-red-100 text-red-900' },
  skipped: { border: '#94a3b8', badge: 'bg-slate-200 text-slate-800' },
  overridden: { border: '#7e22ce', badge: 'bg-purple-100 text-purple-900' },
};

const TYPE_LABEL: Record<string, string> = { human: 'Human', agent: 'Agent', algorithm: 'Automated' };

/** The heat scale: pale yellow (0) to deep red (1); `strong` for bars, light for backgrounds. */
export function heatColour(value: number, strong = true): string {
  const v = Math.min(1, Math.max(0, value));
  const hue = 55 - 55 * v;
  return strong ? `hsl(${hue} 85% ${55 - 15 * v}%)` : `hsl(${hue} 90% ${97 - 12 * v}%)`;
}

type StepData = {
  step: Step;
  state?: string;
  heat?: number;
  heatText?: string;
  problem?: string;
  direction: Direction;
  editable: boolean;
};
type StepNodeT = Node<StepData, 'step'>;

const NODE_W = 210;
const NODE_H = 96;

function StepNode({ data, selected }: NodeProps<StepNodeT>) {
  const { step, state, heat, heatText, problem, direction, editable } = data;
  const tone = state ? STATE_TONE[state] : undefined;
  const handle = editable
    ? '!h-3 !w-3 !border-2 !border-white !bg-indigo-700'
    : '!h-1 !w-1 !min-w-0 !border-0 !bg-transparent';
  return (
    <div
      className={`rounded-md border-2 bg-white px-3 py-2 text-left shadow-sm in-focus-visible:ring-4 in-focus-visible:ring-indigo-600 ${
        selected ? 'ring-2 ring-indigo-700 ring-offset-2' : ''
      } ${state === 'skipped' ? 'border-dashed' : ''}`}
      style={{
        width: NODE_W,
        borderColor: problem ? '#b91c1c' : (tone?.border ?? (heat !== undefined ? heatColour(heat) : '#94a3b8')),
        background: heat !== undefined ? heatColour(heat, false) : undefined,
      }}
    >
      <Handle
        type="target"
        position={direction === 'LR' ? Position.Left : Position.Top}
        isConnectable={editable}
        className={handle}
      />
      <p className="truncate text-sm font-semibold text-slate-900" title={step.name}>
        {step.name || 'Untitled step'}
      </p>
      <p className="text-xs text-slate-700">
        {TYPE_LABEL[step.type] ?? step.type}
        {step.execution_type === 'conditional' ? ' · if condition' : step.execution_type === 'parallel' ? ' · parallel' : ''}
      </p>
      {state && (
        <span className={`mt-1 inline-block rounded px-1.5 py-0.5 text-xs font-medium ${tone?.badge ?? 'bg-slate-100 text-slate-800'}`}>
          {state.replaceAll('_', ' ')}
        </span>
      )}
      {heat !== undefined && (
        <div className="mt-1 flex items-center gap-2">
          <span className="h-2 flex-1 overflow-hidden rounded bg-slate-200" aria-hidden="true">
            <span className="block h-full" style={{ width: `${Math.round(heat * 100)}%`, background: heatColour(heat) }} />
          </span>
          <span className="text-xs font-medium text-slate-900">{heatText ?? `${Math.round(heat * 100)}%`}</span>
        </div>
      )}
      {problem && <p className="mt-1 text-xs font-medium text-red-800">⚠ {problem}</p>}
      <Handle
        type="source"
        position={direction === 'LR' ? Position.Right : Position.Bottom}
        isConnectable={editable}
        className={handle}
      />
    </div>
  );
}

const NODE_TYPES = { step: StepNode };

/** Fits the drawing into view again when its shape changes (steps added, direction flipped). */
function Refit({ signature }: { signature: string }) {
  const { fitView } = useReactFlow();
  const ready = useNodesInitialized();
  useEffect(() => {
    if (ready) void fitView({ padding: 0.15, maxZoom: 1 });
  }, [signature, ready, fitView]);
  return null;
}

export type StepGraphProps = {
  steps: Step[];
  /** StepStatus of each step id (instance page). */
  states?: Record<string, string>;
  /** 0..1 of each step id (bottleneck heatmap). */
  heat?: Record<string, number>;
  /** The words shown beside a heat value (default: a percentage). */
  heatText?: (stepId: string, value: number) => string;
  selected?: string;
  onSelect?: (id: string) => void;
  ariaLabel?: string;
  /** Designer only: a problem to flag on a step (by step id). */
  problems?: Record<string, string>;
  /** Designer only: an edge drawn from `from` to `to` (to depends on from). */
  onConnect?: (from: string, to: string) => void;
  /** Designer only: an edge removed. */
  onDisconnect?: (from: string, to: string) => void;
};

export default function StepGraph({
  steps,
  states,
  heat,
  heatText,
  selected,
  onSelect,
  ariaLabel = 'Steps',
  problems,
  onConnect,
  onDisconnect,
}: StepGraphProps) {
  const editable = !!(onConnect || onDisconnect);
  const box = useRef<HTMLDivElement>(null);
  const [direction, setDirection] = useState<Direction>('LR');
  // top to bottom in narrow places (phones), left to right elsewhere
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const pick = (width: number) => setDirection(width < 560 ? 'TB' : 'LR');
    pick(el.getBoundingClientRect().width);
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => pick(entry.contentRect.width));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const deps = useMemo(() => resolveDependencies(steps), [steps]);
  const names = useMemo(() => new Map(steps.map((s, i) => [stepKey(s, i), s.name])), [steps]);

  const baseNodes = useMemo<StepNodeT[]>(() => {
    const { layer, row } = layout(steps, deps);
    return steps.map((step, i) => {
      const id = stepKey(step, i);
      const along = layer[i] * (direction === 'LR' ? NODE_W + 70 : NODE_H + 60);
      const across = row[i] * (direction === 'LR' ? NODE_H + 30 : NODE_W + 30);
      const state = states?.[id];
      const h = heat?.[id];
      const text = h !== undefined ? (heatText?.(id, h) ?? `${Math.round(h * 100)}%`) : undefined;
      const after = deps[i].map((d) => names.get(d) ?? d);
      return {
        id,
        type: 'step',
        position: direction === 'LR' ? { x: along, y: across } : { x: across, y: along },
        data: { step, state, heat: h, heatText: text, problem: problems?.[id], direction, editable },
        selected: selected === id,
        // handles move with the direction; React Flow re-measures a node when these change
        sourcePosition: direction === 'LR' ? Position.Right : Position.Bottom,
        targetPosition: direction === 'LR' ? Position.Left : Position.Top,
        deletable: false,
        draggable: false,
        ariaLabel: [
          `Step ${i + 1}: ${step.name}`,
          TYPE_LABEL[step.type] ?? step.type,
          state && state.replaceAll('_', ' '),
          text && `heat ${text}`,
          after.length ? `after ${after.join(', ')}` : 'runs first',
          problems?.[id] && `problem: ${problems[id]}`,
        ]
          .filter(Boolean)
          .join('; '),
      };
    });
  }, [steps, deps, names, direction, states, heat, heatText, problems, selected, editable]);

  const baseEdges = useMemo<Edge[]>(
    () =>
      steps.flatMap((step, i) => {
        const to = stepKey(step, i);
        return deps[i]
          .filter((from) => names.has(from))
          .map((from) => ({
            id: `${from}->${to}`,
            source: from,
            target: to,
            data: { from, to },
            type: 'smoothstep',
            markerEnd: { type: MarkerType.ArrowClosed, color: '#475569', width: 18, height: 18 },
            style: { stroke: '#475569', strokeWidth: 1.5 },
            focusable: editable,
            selectable: editable,
            deletable: editable,
            ariaLabel: `${names.get(from)} before ${names.get(to)}`,
          }));
      }),
    [steps, deps, names, editable],
  );

  const [nodes, setNodes] = useState<StepNodeT[]>(baseNodes);
  const [edges, setEdges] = useState<Edge[]>(baseEdges);
  // keep React Flow's measurements across new props, so nodes do not blink out while re-measured
  useEffect(() => {
    setNodes((prev) => {
      const measured = new Map(prev.map((n) => [n.id, n.measured]));
      return baseNodes.map((n) => ({ ...n, measured: measured.get(n.id) }));
    });
  }, [baseNodes]);
  useEffect(() => {
    setEdges((prev) => {
      const chosen = new Set(prev.filter((e) => e.selected).map((e) => e.id));
      return baseEdges.map((e) => ({ ...e, selected: chosen.has(e.id) }));
    });
  }, [baseEdges]);

  const onNodesChange = useCallback(
    (changes: NodeChange<StepNodeT>[]) => {
      setNodes((ns) => applyNodeChanges(changes, ns));
      for (const c of changes) if (c.type === 'select' && c.selected) onSelect?.(c.id);
    },
    [onSelect],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      for (const c of changes) {
        if (c.type !== 'remove') continue;
        const [from, to] = c.id.split('->');
        onDisconnect?.(from, to);
      }
      setEdges((es) => applyEdgeChanges(changes.filter((c) => c.type !== 'remove'), es));
    },
    [onDisconnect],
  );
  const connect = useCallback(
    (c: Connection) => {
      if (c.source && c.target && c.source !== c.target) onConnect?.(c.source, c.target);
    },
    [onConnect],
  );
  const chosenEdge = edges.find((e) => e.selected);

  return (
    <div
      ref={box}
      role={editable ? 'group' : 'figure'}
      aria-label={ariaLabel}
      className="h-full min-h-60 w-full rounded-md border border-slate-200 bg-slate-50"
    >
      <ReactFlow<StepNodeT>
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        style={{ width: '100%', height: '100%' }}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={editable ? connect : undefined}
        nodesDraggable={false}
        nodesConnectable={editable}
        nodesFocusable
        edgesFocusable={editable}
        elementsSelectable={!!onSelect || editable}
        deleteKeyCode={editable ? ['Backspace', 'Delete'] : null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
        minZoom={0.2}
        maxZoom={1.5}
        zoomOnScroll={false}
        preventScrolling={false}
        zoomOnDoubleClick={false}
        ariaLabelConfig={{
          'node.a11yDescription.default': onSelect
            ? 'Press enter or space to select the step.'
            : 'A step of the playbook.',
          'edge.a11yDescription.default': 'Press enter or space to select the connection, then delete to remove it.',
          'controls.ariaLabel': 'Graph view controls',
          'controls.zoomIn.ariaLabel': 'Zoom in',
          'controls.zoomOut.ariaLabel': 'Zoom out',
          'controls.fitView.ariaLabel': 'Fit the graph into view',
          'handle.ariaLabel': 'Connection point: drag to another step to connect',
        }}
      >
        <Background gap={18} size={1} color="#cbd5e1" />
        <Controls showInteractive={false} position="bottom-right" />
        <Refit signature={`${direction}|${nodes.length}|${baseEdges.length}`} />
        {editable && chosenEdge && (
          <Panel position="top-left">
            <button
              type="button"
              className="min-h-10 rounded-md border border-red-300 bg-white px-3 text-sm font-medium text-red-800 shadow hover:bg-red-50"
              onClick={() => {
                const [from, to] = chosenEdge.id.split('->');
                onDisconnect?.(from, to);
              }}
            >
              Remove connection {names.get(chosenEdge.source)} → {names.get(chosenEdge.target)}
            </button>
          </Panel>
        )}
      </ReactFlow>
    </div>
  );
}
