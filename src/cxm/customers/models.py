"""Customers, their identities, holdings (products and contracts) and merges."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxm.customers.domain import CustomerType, IdentityKind, Language, Salutation
from cxm.db import Base, Timestamps, UUIDKey, ValueEnum
from cxm.shared.clock import utcnow


class Customer(UUIDKey, Timestamps, Base):
    __tablename__ = "customers"

    display_name: Mapped[str] = mapped_column(String(300), index=True)
    salutation: Mapped[Salutation] = mapped_column(
        ValueEnum(Salutation, 8), default=Salutation.NONE
    )
    first_name: Mapped[str | None] = mapped_column(String(200))
    last_name: Mapped[str | None] = mapped_column(String(200), index=True)
    company_name: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[Language] = mapped_column(ValueEnum(Language, 2), default=Language.DE)
    type: Mapped[CustomerType] = mapped_column(
        ValueEnum(CustomerType, 16), default=CustomerType.PRIVATE
    )
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Set when this record was merged into another; the id keeps resolving to the survivor.
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"), index=True)

    identities: Mapped[list[Identity]] = relationship(
        back_populates="customer", order_by="Identity.kind", lazy="selectin"
    )
    holdings: Mapped[list[Holding]] = relationship(
        back_populates="customer", order_by="Holding.started_on", lazy="selectin"
    )


class Identity(UUIDKey, Base):
    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_identities_kind_value"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[IdentityKind] = mapped_column(ValueEnum(IdentityKind, 32))
    value: Mapped[str] = mapped_column(String(320))
    verified: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="identities")


class Holding(UUIDKey, Timestamps, Base):
    """A product or contract the customer has, e.g. 'Smartphone Modell X' or 'Tarif M'."""

    __tablename__ = "holdings"
    __table_args__ = (
        Index("ix_holdings_model", "model"),
        Index("ix_holdings_product_code", "product_code"),
        UniqueConstraint("external_id", name="uq_holdings_external_id"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), default="product")  # product | contract
    product_code: Mapped[str] = mapped_column(String(64))
    product_name: Mapped[str] = mapped_column(String(300))
    model: Mapped[str | None] = mapped_column(String(200))
    tariff: Mapped[str | None] = mapped_column(String(200))
    serial: Mapped[str | None] = mapped_column(String(200))
    started_on: Mapped[date | None]
    ended_on: Mapped[date | None]
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)

    customer: Mapped[Customer] = relationship(back_populates="holdings")


class CustomerMerge(UUIDKey, Base):
    """The record of one merge: which customer was folded into which, by whom, what moved."""

    __tablename__ = "customer_merges"

    survivor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    merged_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), unique=True)
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    merged_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    moved: Mapped[dict[str, Any]] = mapped_column(default=dict)
