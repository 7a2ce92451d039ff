//! Small builders for test networks.

use vehicle_approach::*;

/// The 100 m × 100 m test square east of the origin: x in [0, 100], y in [−50, 50].
pub fn square() -> Vec<Point> {
    vec![
        Point::new(0.0, -50.0),
        Point::new(100.0, -50.0),
        Point::new(100.0, 50.0),
        Point::new(0.0, 50.0),
    ]
}

pub fn node(id: i64, x: f64, y: f64) -> Node {
    Node {
        id: NodeId(id),
        position: Point::new(x, y),
        barrier: None,
    }
}

pub fn barrier_node(id: i64, x: f64, y: f64, kind: BarrierKind, rating: Option<&str>) -> Node {
    Node {
        id: NodeId(id),
        position: Point::new(x, y),
        barrier: Some(Barrier {
            kind,
            rating: rating.map(str::to_string),
        }),
    }
}

pub fn way(id: i64, kind: WayKind, nodes: &[i64], width_m: Option<f64>) -> Way {
    Way {
        id: WayId(id),
        kind,
        nodes: nodes.iter().map(|&n| NodeId(n)).collect(),
        width_m,
        oneway: Oneway::No,
        access: Access::Unspecified,
        surface: Surface::Asphalt,
        is_area: false,
    }
}

pub fn network(nodes: Vec<Node>, ways: Vec<Way>) -> Network {
    Network {
        nodes,
        ways,
        ..Network::default()
    }
}

pub fn vehicle(code: &str) -> VehicleClass {
    standard_vehicle_class(code).unwrap()
}

/// Options with Model A (constant acceleration), whose run-ups have closed forms.
pub fn model_a(study: Study) -> Study {
    Study {
        options: Options {
            acceleration_model: AccelerationModel::ConstantPerClass,
            ..study.options
        },
        ..study
    }
}

/// The only entry's result for the only vehicle.
pub fn only_result(analysis: &Analysis) -> &VehicleResult {
    assert_eq!(analysis.entries.len(), 1, "{:#?}", analysis.entries);
    assert_eq!(analysis.entries[0].vehicles.len(), 1);
    &analysis.entries[0].vehicles[0]
}

pub fn only_approach(analysis: &Analysis) -> &Approach {
    only_result(analysis)
        .approach
        .as_ref()
        .expect("the entry is open")
}

pub fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: got {actual}, expected {expected} ± {tolerance}"
    );
}
