// Teaching text in place: every hyperparameter, option and health metric shown on the page carries an
// info button that explains what it is, why it matters and what a bad value suggests. The words come from
// the server's GET /glossary, the one source the CLI docs share.
import { createContext, useContext, useEffect, useId, useRef, useState, type ReactNode } from "react";

import type { Glossary, GlossaryEntry } from "../api/types";

export type TermKind = "hyperparameter" | "health" | "option";

const GlossaryContext = createContext<Glossary | null>(null);

export function GlossaryProvider({ glossary, children }: { glossary: Glossary | null; children: ReactNode }) {
  return <GlossaryContext.Provider value={glossary}>{children}</GlossaryContext.Provider>;
}

/** Optuna parameter names (filters_2, sgd_learning_rate) resolve through the glossary's aliases. */
export function lookupTerm(glossary: Glossary | null, kind: TermKind, key: string): GlossaryEntry | undefined {
  if (!glossary) return undefined;
  if (kind === "health") return glossary.health_metrics[key];
  if (kind === "option") return glossary.options[key] ?? glossary.hyperparameters[key];
  const canonical = glossary.param_aliases[key] ?? key;
  return glossary.hyperparameters[canonical] ?? glossary.hyperparameters[key] ?? glossary.options[canonical];
}

export function useGlossary(): Glossary | null {
  return useContext(GlossaryContext);
}

export function useTerm(kind: TermKind, key: string): GlossaryEntry | undefined {
  return lookupTerm(useContext(GlossaryContext), kind, key);
}

/** A label followed by its explanation button; the label falls back to the glossary title. */
export function Term({ kind, name, children }: { kind: TermKind; name: string; children?: ReactNode }) {
  const entry = useTerm(kind, name);
  return (
    <span className="term">
      {children ?? entry?.title ?? name}
      {entry && <Explain entry={entry} />}
    </span>
  );
}

/** `more`: related entries listed under the main one (the health metrics under "target metric"). */
export function Explain({ entry, more }: { entry: GlossaryEntry; more?: GlossaryEntry[] }) {
  const [open, setOpen] = useState(false);
  const [pinned, setPinned] = useState(false);
  const [alignRight, setAlignRight] = useState(false);
  const id = useId();
  const ref = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (event: Event) => {
      if (event instanceof KeyboardEvent && event.key !== "Escape") return;
      if (event instanceof MouseEvent && ref.current?.contains(event.target as Node)) return;
      setOpen(false);
      setPinned(false);
    };
    document.addEventListener("keydown", close);
    document.addEventListener("mousedown", close);
    return () => {
      document.removeEventListener("keydown", close);
      document.removeEventListener("mousedown", close);
    };
  }, [open]);

  // Open towards the side with more room, so the popover never leaves a phone's screen.
  const show = (next: boolean) => {
    if (next && ref.current) {
      const box = ref.current.getBoundingClientRect();
      setAlignRight(box.left > window.innerWidth / 2);
    }
    setOpen(next);
  };

  return (
    <span
      className="explain"
      ref={ref}
      onMouseEnter={() => show(true)}
      onMouseLeave={() => !pinned && setOpen(false)}
    >
      <button
        type="button"
        className="explain-button"
        aria-label={`What is ${entry.title}?`}
        aria-expanded={open}
        aria-describedby={open ? id : undefined}
        onClick={(event) => {
          event.stopPropagation();
          event.preventDefault();
          setPinned(!pinned || !open);
          show(!pinned || !open);
        }}
      >
        i
      </button>
      {open && (
        <span role="tooltip" id={id} className={alignRight ? "explain-popover right" : "explain-popover"}>
          <strong>{entry.title}</strong>
          <span className="explain-line">{entry.what}</span>
          {entry.why && (
            <span className="explain-line">
              <em>Why it matters: </em>
              {entry.why}
            </span>
          )}
          {entry.bad_value && (
            <span className="explain-line">
              <em>If it looks bad: </em>
              {entry.bad_value}
            </span>
          )}
          {more && more.length > 0 && (
            <span className="explain-list">
              {more.map((item) => (
                <span key={item.title} className="explain-line">
                  <em>{item.title}: </em>
                  {item.what}
                </span>
              ))}
            </span>
          )}
        </span>
      )}
    </span>
  );
}
