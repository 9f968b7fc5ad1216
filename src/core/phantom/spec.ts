// What a synthetic PSMA PET/CT patient is made from. The demo patient, `npm run phantom` and the
// virtual cohort all build a PatientSpec and hand it to the phantom generator.
import type { Vec3 } from '../volume';
import type { TumourSite, Side } from '../vocabulary';

export interface LesionSpec {
  /** Vocabulary name, T1, T2 … */
  name: string;
  site: TumourSite;
  /** Volume of the (irregular) lesion in mL. */
  volumeMl: number;
  /** Mean PSMA PET SUV of the lesion before blur and noise. */
  suvMean: number;
  /** 0 = homogeneous, 1 = strongly heterogeneous (necrotic core, hot rim, texture). */
  heterogeneity: number;
  /** LPS centre in mm; when absent the generator places the lesion at a plausible spot for its site. */
  centre?: Vec3;
}

export interface PatientSpec {
  id: string;
  /** Drives every random choice the generator makes (noise, lesion shape, placement). */
  seed: number;
  sex: 'M' | 'F';
  ageYears: number;
  weightKg: number;
  heightCm: number;
  /**
   * PET agent id from core/tracer.ts (default DEMO_TRACER, 18F-DCFPyL). It sets the DICOM radiopharmaceutical,
   * its codes and the nuclide's half-life; the biodistribution stays the PSMA one whatever the agent.
   */
  tracer?: string;
  /** Injected activity (MBq) and uptake time (min) between injection and scan start. */
  injectedMBq: number;
  uptakeMinutes: number;
  /** Body size relative to the reference anatomy (1 = reference man); scales organ sizes and positions. */
  anatomyScale: number;
  /** Mean SUV per organ name from the vocabulary (Kidney L …, Liver, Spleen, Bladder) plus 'background', 'bone', 'blood'. */
  organSuv: Record<string, number>;
  /** Organ volume scale factors per organ name (1 = reference size). */
  organScale?: Record<string, number>;
  /** A patient with one kidney: the side that is missing. */
  missingKidney?: Side;
  lesions: LesionSpec[];
  imaging: ImagingSpec;
}

export interface ImagingSpec {
  /** CT and PET voxel spacing in mm (PET normally coarser). */
  ctSpacing: Vec3;
  petSpacing: Vec3;
  /** Axial coverage: superior and inferior limits as LPS z (mm), head at high z. */
  zTopMm: number;
  zBottomMm: number;
  /** PET resolution (Gaussian FWHM, mm) and relative noise SD at SUV 1 (Poisson-like scaling). */
  petFwhmMm: number;
  petNoise: number;
  /** CT noise SD in HU. */
  ctNoiseHu: number;
}
