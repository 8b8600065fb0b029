// Types of reliability.mjs for the reliability and fuzz tests that import it (each workspace's
// tsconfig.test.json type-checks them); the fields are the ones render() reads.

/** The RELIABILITY.md section a figure goes under. */
export type FigureKind = "input" | "attack" | "fault" | "legacy";

export interface Figure {
  kind: FigureKind;
  title: string;
  /** The test file that measured it, from the repository root. */
  test: string;
  claim: string;
  figures: Record<string, number | string | boolean>;
  notes?: string[];
  fixed?: string[];
  coveredElsewhere?: string[];
}

/** A figure as writeFigure stores it. */
export interface StoredFigure extends Figure {
  name: string;
  scale: number;
  measuredAt: string;
}

export declare const FIGURES_DIR: string;
export declare const SCALE: number;
export declare function scaled(full: number, min?: number): number;
export declare function writeFigure(name: string, fig: Figure): void;
export declare function render(figures: StoredFigure[]): string;
