"""The schema: a cinema chain's catalog, its shows' seats, and the money that moves.

All times are UTC (naive datetimes). Decision times are DATETIME(6) on MySQL so a hold expiring in
480.25 s is compared to the microsecond. Money is DECIMAL(10, 2).
"""

from __future__ import annotations

import peewee as pw

from bmstui.domain.vocabulary import (  # noqa: F401  (the stored words, importable here too)
    BOOKING_STATUSES,
    CITY_NAME,
    CITY_STATE,
    LAYOUT_NAME,
    PAYMENT_METHODS,
    ROLES,
    SCREEN_NAME,
    SEAT_STATUSES,
    SEAT_TYPES,
    THEATER_ADDRESS,
    THEATER_NAME,
    THEATER_TIMEZONE,
    BookingStatus,
    HoldState,
    PaymentMethod,
    Role,
    SeatStatus,
    ShowStatus,
    TicketStatus,
)
from bmstui.store.db import database

MYSQL_TABLE_SETTINGS = ["ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"]


class PreciseDateTimeField(pw.DateTimeField):
    """DATETIME(6): peewee's DateTimeField is whole seconds on MySQL."""

    def get_modifiers(self):
        return [6]


class MoneyField(pw.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("auto_round", True)
        super().__init__(*args, **kwargs)


# Foreign keys whose column leads a composite index below are declared index=False: the
# composite serves the joins, and every index less is one less to update per seat change.


class StableIdField(pw.AutoField):
    """An id never given twice, even after the newest row is deleted: counters cache show and
    seat ids, so a reused id would let a hold of "A2" take another show's seat. SQLite needs
    AUTOINCREMENT for that (plain INTEGER PRIMARY KEY reuses the largest free id); MariaDB's
    InnoDB keeps its AUTO_INCREMENT counter across deletes and restarts (10.2.4+)."""

    def ddl(self, ctx):
        nodes = super().ddl(ctx)
        if isinstance(database.obj, pw.SqliteDatabase):
            return pw.NodeList((nodes, pw.SQL("AUTOINCREMENT")))
        return nodes


class BaseModel(pw.Model):
    id = StableIdField()

    class Meta:
        database = database
        legacy_table_names = False
        table_settings = MYSQL_TABLE_SETTINGS


class City(BaseModel):
    name = pw.CharField(max_length=CITY_NAME, unique=True)
    state = pw.CharField(max_length=CITY_STATE, default="")


class Theater(BaseModel):
    city = pw.ForeignKeyField(City, backref="theaters", on_delete="CASCADE", index=False)
    name = pw.CharField(max_length=THEATER_NAME)
    address = pw.CharField(max_length=THEATER_ADDRESS, default="")
    # IANA zone its shows are typed and shown in ("Asia/Kolkata"); "" = the chain default
    # ([cinema] timezone). Times stay UTC in the database.
    timezone = pw.CharField(max_length=THEATER_TIMEZONE, default="")

    class Meta:
        indexes = ((("city", "name"), True),)


class Screen(BaseModel):
    theater = pw.ForeignKeyField(Theater, backref="screens", on_delete="CASCADE", index=False)
    name = pw.CharField(max_length=SCREEN_NAME)
    layout = pw.CharField(max_length=LAYOUT_NAME)  # name of the layout it was built from
    capacity = pw.IntegerField(default=0)
    formats = pw.CharField(max_length=40, default="2D")  # comma list: 2D,3D,IMAX

    class Meta:
        indexes = ((("theater", "name"), True),)


class Seat(BaseModel):
    screen = pw.ForeignKeyField(Screen, backref="seats", on_delete="CASCADE", index=False)
    row = pw.CharField(max_length=4)
    number = pw.SmallIntegerField()
    label = pw.CharField(max_length=8)
    type = pw.CharField(max_length=10)
    accessible = pw.BooleanField(default=False)
    x = pw.SmallIntegerField()  # column on the layout, gaps counted
    y = pw.SmallIntegerField()  # row index from the screen

    class Meta:
        indexes = ((("screen", "label"), True),)


class Movie(BaseModel):
    title = pw.CharField(max_length=160)
    language = pw.CharField(max_length=40)
    genre = pw.CharField(max_length=60)
    certificate = pw.CharField(max_length=8)  # U, UA, A (CBFC) and the like
    duration = pw.SmallIntegerField()  # minutes
    rating = pw.DecimalField(max_digits=3, decimal_places=1, null=True)
    synopsis = pw.TextField(default="")
    active = pw.BooleanField(default=True)

    class Meta:
        indexes = ((("title", "language"), True),)


class Show(BaseModel):
    movie = pw.ForeignKeyField(Movie, backref="shows")
    screen = pw.ForeignKeyField(Screen, backref="shows", index=False)
    starts_at = pw.DateTimeField(index=True)  # UTC
    ends_at = pw.DateTimeField()
    format = pw.CharField(max_length=8, default="2D")
    # The exact product of the rules' factors (3 decimals each, so 15 decimals hold five rules):
    # a factor rounded first would put prices a rupee off (0.85 × 1.1 × 1.1 = 1.0285, not 1.028).
    price_factor = pw.DecimalField(max_digits=20, decimal_places=15, default=1)
    status = pw.CharField(max_length=12, default=ShowStatus.SCHEDULED)

    class Meta:
        indexes = ((("screen", "starts_at"), True),)


class SeatTypePrice(BaseModel):
    type = pw.CharField(max_length=10, unique=True)
    base_price = MoneyField()
    rank = pw.SmallIntegerField()  # SILVER 1 < GOLD 2 < PLATINUM 3 < DIAMOND 4


class Operator(BaseModel):
    name = pw.CharField(max_length=60, unique=True)
    role = pw.CharField(max_length=10, default=Role.CASHIER)
    password_hash = pw.CharField(max_length=255)
    failed_logins = pw.SmallIntegerField(default=0)
    locked_until = PreciseDateTimeField(null=True)
    active = pw.BooleanField(default=True)
    created_at = PreciseDateTimeField()


class ApiChannel(BaseModel):
    """A key of the online channel (bmstui/api). Only a hash of the key's secret is kept: the
    key is shown once, when the channel is added. ``key_id`` is the key's public part, by which
    a request's key is found before its secret is compared (in constant time)."""

    name = pw.CharField(max_length=40, unique=True)
    key_id = pw.CharField(max_length=16, unique=True)
    secret_hash = pw.CharField(max_length=64)  # SHA-256 of the secret, hex
    scopes = pw.CharField(max_length=60, default="read,sell,cancel")
    active = pw.BooleanField(default=True)
    created_at = PreciseDateTimeField()
    revoked_at = PreciseDateTimeField(null=True)


class Coupon(BaseModel):
    code = pw.CharField(max_length=32, unique=True)
    kind = pw.CharField(max_length=10)  # percent | flat
    value = MoneyField()
    max_discount = MoneyField(null=True)
    min_amount = MoneyField(default=0)
    valid_from = PreciseDateTimeField(null=True)
    valid_until = PreciseDateTimeField(null=True)
    active = pw.BooleanField(default=True)
    usage_limit = pw.IntegerField(null=True)
    per_customer_limit = pw.IntegerField(null=True)
    used_count = pw.IntegerField(default=0)


class Hold(BaseModel):
    """One counter's claim on some seats of a show, alive until ``expires_at`` (DB clock)."""

    token = pw.CharField(max_length=32, primary_key=True)
    show = pw.ForeignKeyField(Show, backref="holds")
    terminal = pw.CharField(max_length=60)
    operator = pw.ForeignKeyField(Operator, null=True)
    seat_count = pw.SmallIntegerField()
    created_at = PreciseDateTimeField()
    expires_at = PreciseDateTimeField()
    extensions = pw.SmallIntegerField(default=0)
    state = pw.CharField(max_length=10, default=HoldState.ACTIVE)

    class Meta:
        # A channel's live holds (the API's anti-hoarding count) without reading its history.
        indexes = ((("terminal", "state", "expires_at"), False),)


class Booking(BaseModel):
    code = pw.CharField(max_length=16, unique=True)
    show = pw.ForeignKeyField(Show, backref="bookings")
    hold_token = pw.CharField(max_length=32, unique=True)  # a retried confirm finds its booking
    status = pw.CharField(max_length=20, default=BookingStatus.CONFIRMED)
    seat_count = pw.SmallIntegerField()
    subtotal = MoneyField()
    discount = MoneyField(default=0)
    total = MoneyField()
    coupon = pw.ForeignKeyField(Coupon, null=True)
    operator = pw.ForeignKeyField(Operator, null=True)
    terminal = pw.CharField(max_length=60)
    customer_name = pw.CharField(max_length=80, default="")
    customer_phone = pw.CharField(max_length=20, default="", index=True)
    created_at = PreciseDateTimeField()


class ShowSeat(BaseModel):
    """The state of one seat for one show; the row the seat protocol locks and updates."""

    show = pw.ForeignKeyField(Show, backref="show_seats", on_delete="CASCADE", index=False)
    seat = pw.ForeignKeyField(Seat)
    status = pw.CharField(max_length=10, default=SeatStatus.AVAILABLE)
    price = MoneyField()
    hold_token = pw.CharField(max_length=32, null=True, index=True)
    held_until = PreciseDateTimeField(null=True, index=True)  # only held seats have one: sweep
    booking = pw.ForeignKeyField(Booking, null=True, backref="show_seats")
    updated_at = PreciseDateTimeField()

    class Meta:
        indexes = (
            (("show", "seat"), True),
            (("show", "status"), False),
            (("show", "updated_at"), False),
        )


class BookingSeat(BaseModel):
    """A seat sold in a booking, kept after a cancellation frees the ShowSeat."""

    booking = pw.ForeignKeyField(Booking, backref="seats", on_delete="CASCADE", index=False)
    show_seat = pw.ForeignKeyField(ShowSeat)
    label = pw.CharField(max_length=8)
    type = pw.CharField(max_length=10)
    price = MoneyField()
    status = pw.CharField(max_length=10, default=TicketStatus.SOLD)

    class Meta:
        indexes = ((("booking", "show_seat"), True),)


class Payment(BaseModel):
    booking = pw.ForeignKeyField(Booking, backref="payments")
    method = pw.CharField(max_length=12)  # a PaymentMethod
    amount = MoneyField()
    tendered = MoneyField(null=True)
    change = MoneyField(null=True)
    reference = pw.CharField(max_length=40, default="")
    operator = pw.ForeignKeyField(Operator, null=True)
    terminal = pw.CharField(max_length=60)
    created_at = PreciseDateTimeField()


class Refund(BaseModel):
    booking = pw.ForeignKeyField(Booking, backref="refunds")
    payment = pw.ForeignKeyField(Payment, backref="refunds")
    method = pw.CharField(max_length=12)  # a PaymentMethod
    amount = MoneyField()
    labels = pw.CharField(max_length=255)
    reason = pw.CharField(max_length=255, default="")
    override = pw.BooleanField(default=False)
    operator = pw.ForeignKeyField(Operator, null=True)
    terminal = pw.CharField(max_length=60)
    created_at = PreciseDateTimeField()


class CouponUse(BaseModel):
    coupon = pw.ForeignKeyField(Coupon, backref="uses")
    booking = pw.ForeignKeyField(Booking, unique=True)
    customer_phone = pw.CharField(max_length=20, default="")
    created_at = PreciseDateTimeField()

    class Meta:
        indexes = ((("coupon", "customer_phone"), False),)


class PricingRule(BaseModel):
    """A factor on the base price when a show matches: weekday, weekend, band, movie, ..."""

    name = pw.CharField(max_length=CITY_NAME, unique=True)
    kind = pw.CharField(max_length=12)  # day | band | movie | theater | format
    match = pw.CharField(max_length=160)
    factor = pw.DecimalField(max_digits=6, decimal_places=3)
    active = pw.BooleanField(default=True)


class AuditEvent(BaseModel):
    at = PreciseDateTimeField(index=True)
    kind = pw.CharField(max_length=30, index=True)
    operator = pw.ForeignKeyField(Operator, null=True)
    actor = pw.CharField(max_length=120, default="")  # "admin:<name>@<host>"; "" = operator
    terminal = pw.CharField(max_length=60)
    booking = pw.ForeignKeyField(Booking, null=True)
    detail = pw.TextField(default="")


ALL_MODELS = [
    City,
    Theater,
    Screen,
    Seat,
    Movie,
    Show,
    SeatTypePrice,
    Operator,
    ApiChannel,
    Coupon,
    Hold,
    Booking,
    ShowSeat,
    BookingSeat,
    Payment,
    Refund,
    CouponUse,
    PricingRule,
    AuditEvent,
]


class SchemaVersion(pw.Model):
    """One row per schema migration applied to this database (bmstui.store.migrations): the
    database says which release's tables it has. Not in ALL_MODELS: it is bookkeeping, made and
    filled by the migrations, never by the catalog or the box office."""

    version = pw.IntegerField(primary_key=True)
    name = pw.CharField(max_length=100)
    applied_at = PreciseDateTimeField()  # UTC

    class Meta:
        database = database
        table_name = "schema_version"
        table_settings = MYSQL_TABLE_SETTINGS
