// The tracer check of the open study: its PET header against the loaded model card (core/tracer.ts). A non-PSMA
// tracer is blocked even before the model has loaded; another PSMA ligand, a ligand not named or an unidentified
// tracer needs a confirmation, recorded in the dose state (dose.tracerConfirmation) with its caveat.
import { viewer } from './state.svelte';
import { dose } from './dose.svelte';
import { identifyTracer, nonPsmaBlock, tracerGate, type TracerGate } from '../../core/tracer';

/** The gate for the open study, or undefined without a PET (or, for a PSMA or unidentified tracer, before the model has loaded). */
export function tracerCheck(): TracerGate | undefined {
  const attrs = viewer.study?.pet?.instances[0]?.attrs;
  if (!attrs) return undefined;
  const tracer = identifyTracer(attrs);
  return dose.card ? tracerGate(tracer, dose.card.tracer) : nonPsmaBlock(tracer);
}

/** What a confirmation is recorded for: the agent, or what the header says when it names none. */
export function confirmationAgent(gate: TracerGate): string {
  return gate.tracer.agent ?? gate.tracer.label;
}

/** True when the open study's confirmation is recorded for this very agent and caveat (another model asks again). */
export function tracerConfirmed(gate: TracerGate | undefined = tracerCheck()): boolean {
  const c = dose.tracerConfirmation;
  return gate?.status === 'confirm' && !!c && c.agent === confirmationAgent(gate) && c.caveat === gate.caveat;
}

/** Records the user's confirmation of the current caveat. */
export function confirmTracer(): void {
  const gate = tracerCheck();
  if (gate?.status !== 'confirm') return;
  dose.tracerConfirmation = { agent: confirmationAgent(gate), caveat: gate.caveat, confirmedAt: new Date().toISOString() };
}

/** Why doses must not be computed now (blocked, or not confirmed yet); undefined when the tracer allows it. */
export function tracerRefusal(): string | undefined {
  const gate = tracerCheck();
  if (gate?.status === 'blocked') return `No doses: ${gate.tracer.label} is not a PSMA ligand (see the tracer check above).`;
  if (gate?.status === 'confirm' && !tracerConfirmed(gate)) return 'No doses yet: the tracer needs your confirmation first (see the tracer check above).';
  return undefined;
}
