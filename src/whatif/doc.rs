//! The what-if response document (JSON).

use super::*;

impl Serialize for Whatif {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Workers<'a>(&'a [WorkerDelta]);
        impl Serialize for Workers<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter().map(|w| {
                    #[derive(Serialize)]
                    struct L {
                        code: &'static str,
                        old: Amount,
                        new: Amount,
                        delta: Amount,
                    }
                    #[derive(Serialize)]
                    struct W<'a> {
                        worker_id: &'a str,
                        name: &'a str,
                        unit: &'a str,
                        outcome: Outcome,
                        paid: Side,
                        lines: Vec<L>,
                        gross: Delta,
                    }
                    W {
                        worker_id: &w.id,
                        name: &w.name,
                        unit: &w.unit,
                        outcome: w.outcome(),
                        paid: w.paid,
                        lines: w
                            .lines
                            .iter()
                            .map(|(c, d)| L {
                                code: c.code(),
                                old: Amount(d.old),
                                new: Amount(d.new),
                                delta: Amount(d.delta()),
                            })
                            .collect(),
                        gross: w.gross,
                    }
                }))
            }
        }
        struct ByCode<'a>(&'a BTreeMap<LineCode, Delta>);
        impl Serialize for ByCode<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    m.serialize_entry(k.code(), v)?;
                }
                m.end()
            }
        }
        #[derive(Serialize)]
        struct P<'a> {
            kind: Kind,
            period: &'a str,
            base_version: &'a str,
            reform_version: &'a str,
            reform_in_force: bool,
            workers_base: usize,
            workers_reform: usize,
            gross: Delta,
        }
        #[derive(Serialize)]
        struct G<'a> {
            period: &'a str,
            worker_id: &'a str,
            unit: &'a str,
            old: Grade,
            new: Grade,
            scored: bool,
        }
        #[derive(Serialize)]
        struct E<'a> {
            period: &'a str,
            side: Side,
            #[serde(flatten)]
            error: &'a InputError,
        }
        let mut st = s.serialize_struct("Whatif", 12)?;
        st.serialize_field("kind", "whatif")?;
        st.serialize_field("period", &self.scope.to_string())?;
        st.serialize_field("reform", &self.reform)?;
        st.serialize_field("complete", &self.complete())?;
        st.serialize_field("counts", &self.counts())?;
        st.serialize_field("total", &self.total)?;
        let periods: Vec<P> = self
            .periods
            .iter()
            .map(|p| P {
                kind: p.kind,
                period: &p.period,
                base_version: &p.base_version,
                reform_version: &p.reform_version,
                reform_in_force: p.reform_in_force,
                workers_base: p.workers.0,
                workers_reform: p.workers.1,
                gross: p.gross,
            })
            .collect();
        st.serialize_field("periods", &periods)?;
        st.serialize_field("by_unit", &self.by_unit)?;
        st.serialize_field("by_code", &ByCode(&self.by_code))?;
        let grades: Vec<G> = self
            .grade_changes
            .iter()
            .map(|g| G {
                period: &g.period,
                worker_id: &g.worker_id,
                unit: &g.unit,
                old: g.old,
                new: g.new,
                scored: g.scored,
            })
            .collect();
        st.serialize_field("grade_changes", &grades)?;
        st.serialize_field("workers", &Workers(&self.workers))?;
        let errors: Vec<E> = self
            .errors
            .iter()
            .map(|e| E {
                period: &e.period,
                side: e.side,
                error: &e.error,
            })
            .collect();
        st.serialize_field("errors", &errors)?;
        st.end()
    }
}
