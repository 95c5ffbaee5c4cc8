"""A deterministic demo company: a German telco and retailer with customers and their history."""

from cxm.demo.data import FAULTY_MODEL
from cxm.demo.generator import DemoSummary, build_demo

__all__ = ["FAULTY_MODEL", "DemoSummary", "build_demo"]
