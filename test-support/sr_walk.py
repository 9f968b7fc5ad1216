"""Reads a psma-dose-preview measurement report (TID 1500 SR) with pydicom, independently of the TypeScript reader:
walks the content tree by concept codes and prints the structures, plan and statements as JSON.
Usage: python3 sr_walk.py FILE.dcm"""
import json
import sys

import pydicom


def concept(item):
    seq = item.get("ConceptNameCodeSequence")
    return (seq[0].CodingSchemeDesignator, seq[0].CodeValue) if seq else None


def children(item):
    return list(item.get("ContentSequence", []))


def find(items, scheme, value):
    return next((i for i in items if concept(i) == (scheme, value)), None)


def num(item):
    mv = item.MeasuredValueSequence[0]
    return float(mv.FloatingPointValue) if "FloatingPointValue" in mv else float(mv.NumericValue)


def value_code(item):
    c = item.ConceptCodeSequence[0]
    return [c.CodingSchemeDesignator, c.CodeValue]


def main(path):
    ds = pydicom.dcmread(path)
    assert ds.Modality == "SR", ds.Modality
    assert concept(ds) == ("DCM", "126000"), concept(ds)
    assert ds.ContentTemplateSequence[0].TemplateIdentifier == "1500"
    schemes = [s.CodingSchemeDesignator for s in ds.CodingSchemeIdentificationSequence]
    top = children(ds)
    library = find(top, "DCM", "111028")
    group = find(children(library), "DCM", "126200")
    images = [i.ReferencedSOPSequence[0].ReferencedSOPInstanceUID for i in children(group) if i.ValueType == "IMAGE"]
    measurements = find(top, "DCM", "126010")
    structures, plan = [], None
    for g in children(measurements):
        items = children(g)
        name = find(items, "DCM", "112039").TextValue
        finding = find(items, "DCM", "121071")
        if value_code(finding) == ["99PSMADP", "PLAN"]:
            plan = {"activityGBq": num(find(items, "99PSMADP", "PLANACT")), "cycles": num(find(items, "99PSMADP", "PLANCYC"))}
            continue
        ref = find(items, "DCM", "121191").ReferencedSOPSequence[0]
        suv = {}
        for i in items:
            if i.ValueType == "NUM" and concept(i) == ("DCM", "126401"):
                derivation = value_code(find(children(i), "DCM", "121401"))
                suv[{"56851009": "suvMax", "373098007": "suvMean", "126031": "suvPeak"}[derivation[1]]] = num(i)
                assert i.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeValue == "{SUVbw}g/ml"
        s = {
            "name": name,
            "segmentNumber": int(ref.ReferencedSegmentNumber),
            "segSopInstanceUid": ref.ReferencedSOPInstanceUID,
            "sourceSeriesUid": find(items, "DCM", "121232").UID,
            "finding": value_code(finding),
            "volumeMl": num(find(items, "SCT", "118565006")),
            **suv,
        }
        dose = find(items, "99PSMADP", "GYPERGBQ")
        if dose is not None:
            assert dose.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeValue == "Gy/GBq"
            s["dose"] = {
                key: num(find(items, "99PSMADP", code))
                for key, code in [("gyPerGbq", "GYPERGBQ"), ("lower90", "GYPERGBQLO90"), ("upper90", "GYPERGBQHI90"),
                                  ("gyPerCycle", "GYCYCLE"), ("cumulativeGy", "GYCUM"), ("cumulativeUpper90Gy", "GYCUMHI90")]
            }
        structures.append(s)
    qualitative = children(find(top, "UMLS", "C0034375"))
    print(json.dumps({
        "sopInstanceUid": ds.SOPInstanceUID,
        "studyUid": ds.StudyInstanceUID,
        "schemes": schemes,
        "imageLibrary": images,
        "structures": structures,
        "plan": plan,
        "model": find(qualitative, "99PSMADP", "MODEL").TextValue,
        "statement": find(qualitative, "99PSMADP", "USE").TextValue,
    }))


if __name__ == "__main__":
    main(sys.argv[1])
