//! `pounce eval`: values and derivatives of a model at a point, as JSON.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::autodiff::report::at_point;
use crate::nl::eval::Evaluator;
use crate::nl::fmt::write_g;
use crate::nl::{Model, read_file};

/// Arguments of `pounce eval`.
#[derive(clap::Args)]
pub struct EvalArgs {
    /// The model file.
    pub model: PathBuf,
    /// JSON file `{"x": [...], "y": [...], "obj_factor": 1.0}` with the point.
    #[arg(long)]
    pub point: Option<PathBuf>,
}

/// The point of an evaluation.
pub struct Point {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub obj_factor: f64,
}

impl Point {
    /// The default point: x0 from the file (0 where none, not projected into the
    /// bounds) and y_i = (−1)^i (1 + (i mod 7)) / 8.
    pub fn default_for(model: &Model) -> Self {
        Point {
            x: model.x0.iter().map(|v| v.unwrap_or(0.0)).collect(),
            y: (0..model.n_con)
                .map(|i| {
                    let s = if i % 2 == 0 { 1.0 } else { -1.0 };
                    s * (1 + i % 7) as f64 / 8.0
                })
                .collect(),
            obj_factor: 1.0,
        }
    }

    /// Reads a point file; `x` and `y` must have the model's dimensions.
    pub fn read(path: &Path, model: &Model) -> Result<Self, String> {
        let what = |e: String| format!("{}: {e}", path.display());
        let text = std::fs::read_to_string(path).map_err(|e| what(e.to_string()))?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| what(e.to_string()))?;
        let mut p = Point::default_for(model);
        let vector = |key: &str, len: usize| -> Result<Option<Vec<f64>>, String> {
            let Some(v) = json.get(key) else {
                return Ok(None);
            };
            let a = v
                .as_array()
                .ok_or_else(|| what(format!("\"{key}\" is not an array")))?;
            if a.len() != len {
                return Err(what(format!(
                    "\"{key}\" has {} entries, expected {len}",
                    a.len()
                )));
            }
            a.iter()
                .map(|e| {
                    e.as_f64()
                        .ok_or_else(|| what(format!("\"{key}\" holds a non-number")))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some)
        };
        match vector("x", model.n_var)? {
            Some(x) => p.x = x,
            None => return Err(what("missing \"x\"".into())),
        }
        if let Some(y) = vector("y", model.n_con)? {
            p.y = y;
        }
        if let Some(s) = json.get("obj_factor") {
            p.obj_factor = s
                .as_f64()
                .ok_or_else(|| what("\"obj_factor\" is not a number".into()))?;
        }
        Ok(p)
    }
}

/// What `pounce eval` reports; absent parts print as `null`.
#[derive(Default)]
pub struct Report<'a> {
    pub n: usize,
    pub m: usize,
    pub f: Option<f64>,
    pub grad: Option<&'a [f64]>,
    pub c: Option<&'a [f64]>,
    /// `(row, col, value)` entries.
    pub jac: Option<&'a [(usize, usize, f64)]>,
    /// Lower-triangle `(row, col, value)` entries.
    pub hess: Option<&'a [(usize, usize, f64)]>,
    pub errors: Option<&'a str>,
}

impl Report<'_> {
    /// The report as one JSON object; reals with 17 significant digits, non-finite
    /// values as `null`.
    pub fn to_json(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!("{{\"n\":{},\"m\":{},\"f\":", self.n, self.m));
        real(&mut s, self.f);
        s.push_str(",\"grad\":");
        reals(&mut s, self.grad);
        s.push_str(",\"c\":");
        reals(&mut s, self.c);
        s.push_str(",\"jac\":");
        triplets(&mut s, self.jac);
        s.push_str(",\"hess\":");
        triplets(&mut s, self.hess);
        s.push_str(",\"errors\":");
        match self.errors {
            Some(e) => s.push_str(&serde_json::Value::from(e).to_string()),
            None => s.push_str("null"),
        }
        s.push_str("}\n");
        s
    }
}

fn real(s: &mut String, v: Option<f64>) {
    match v {
        Some(v) if v.is_finite() => write_g(s, v, 17),
        _ => s.push_str("null"),
    }
}

fn reals(s: &mut String, v: Option<&[f64]>) {
    let Some(v) = v else {
        s.push_str("null");
        return;
    };
    s.push('[');
    for (k, &x) in v.iter().enumerate() {
        if k > 0 {
            s.push(',');
        }
        real(s, Some(x));
    }
    s.push(']');
}

fn triplets(s: &mut String, v: Option<&[(usize, usize, f64)]>) {
    let Some(v) = v else {
        s.push_str("null");
        return;
    };
    s.push('[');
    for (k, &(r, c, x)) in v.iter().enumerate() {
        if k > 0 {
            s.push(',');
        }
        s.push_str(&format!("[{r},{c},"));
        real(s, Some(x));
        s.push(']');
    }
    s.push(']');
}

/// Runs the command; returns the exit code (2 for an unreadable model or point).
pub fn run(args: &EvalArgs) -> i32 {
    let model = match read_file(&args.model) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("pounce eval: {e}");
            return 2;
        }
    };
    let point = match &args.point {
        None => Point::default_for(&model),
        Some(p) => match Point::read(p, &model) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("pounce eval: {e}");
                return 2;
            }
        },
    };
    let mut c = vec![0.0; model.n_con];
    let (f, c_ok) = {
        let ev = Evaluator::new(&model);
        ev.objective_and_constraints(&point.x, &mut ev.workspace(), &mut c)
    };
    let derivs = match at_point(&model, &point.x, point.obj_factor, &point.y) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("pounce eval: {e}");
            return 2;
        }
    };
    // Value errors are already reported above; add those only derivatives meet.
    let derivative_errors = derivs.errors.iter().filter(|e| e.is_derivative());
    let errors: Vec<String> = [f.as_ref().err(), c_ok.as_ref().err()]
        .into_iter()
        .flatten()
        .map(|e| e.to_string())
        .chain(derivative_errors.map(|e| e.to_string()))
        .collect();
    let errors = (!errors.is_empty()).then(|| errors.join("; "));
    let report = Report {
        n: model.n_var,
        m: model.n_con,
        f: f.ok(),
        c: c_ok.is_ok().then_some(&c[..]),
        grad: derivs.grad.as_deref(),
        jac: derivs.jac.as_deref(),
        hess: derivs.hess.as_deref(),
        errors: errors.as_deref(),
    };
    let mut out = std::io::stdout().lock();
    if out.write_all(report.to_json().as_bytes()).is_err() {
        return 2;
    }
    0
}
