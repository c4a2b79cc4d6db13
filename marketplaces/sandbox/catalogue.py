"""The catalogue every sandbox marketplace sells from, shared with the OMS's demo inventory.

`CATALOGUE` is a tuple of `Product` (SKU, EAN-13 with a valid check digit, title, price
in EUR tax included, weight in grams, and the Amazon ASIN the sandbox shows for it). The
lead's demo data seeds the inventory with the same SKUs so that sandbox orders reserve
real stock.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# GS1 France prefixes run 300-379; 376 + a made-up company number gives plausible EANs.
EAN_COMPANY_PREFIX = "376012345"


def ean13_check_digit(first12: str) -> str:
    """The GS1 check digit of a 12-digit string (weights 1,3,1,3… from the left)."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"need 12 digits, got {first12!r}")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == code[12]


@dataclass(frozen=True)
class Product:
    sku: str
    ean: str
    title: str
    price: Decimal  # EUR, VAT included
    weight_grams: int
    asin: str


_ITEMS = (
    # sku, title, price, weight in grams
    ("BOUILL-INOX-17", "Bouilloire électrique inox 1,7 L", "29.90", 1200),
    ("GRILLE-PAIN-2F", "Grille-pain 2 fentes larges 850 W", "34.99", 1500),
    ("CAFET-FILTRE-12", "Cafetière filtre programmable 12 tasses", "44.90", 2100),
    ("EXPRESSO-BROY", "Machine expresso avec broyeur intégré", "349.00", 9800),
    ("BLENDER-1200", "Blender chauffant 1200 W 1,75 L", "89.99", 4200),
    ("ROBOT-PAT-5L", "Robot pâtissier 5 L 1000 W rouge", "199.00", 7800),
    ("FRITEUSE-AIR-4", "Friteuse sans huile 4 L", "79.90", 4500),
    ("POELE-28-CERAM", "Poêle céramique 28 cm tous feux dont induction", "24.90", 900),
    ("CASSEROLE-SET3", "Lot de 3 casseroles inox 16-18-20 cm", "59.90", 3100),
    ("COCOTTE-FONTE-24", "Cocotte ronde en fonte émaillée 24 cm", "119.00", 5400),
    ("COUTEAU-CHEF-20", "Couteau de chef lame 20 cm acier forgé", "39.90", 300),
    ("BALANCE-CUIS", "Balance de cuisine électronique 5 kg", "14.99", 600),
    ("ASPI-BALAI-SF", "Aspirateur balai sans fil 25,2 V", "159.99", 3200),
    ("ASPI-ROBOT-WIFI", "Aspirateur robot connecté Wi-Fi", "229.00", 4100),
    ("FER-VAPEUR-2600", "Fer à repasser vapeur 2600 W", "49.90", 1400),
    ("RADIATEUR-BAIN", "Radiateur bain d'huile 2000 W", "69.90", 9500),
    ("VENTIL-COLONNE", "Ventilateur colonne oscillant 45 W", "39.99", 3800),
    ("DESHUM-12L", "Déshumidificateur 12 L/jour", "149.00", 10500),
    ("PERCEUSE-18V", "Perceuse visseuse sans fil 18 V avec 2 batteries", "129.00", 2300),
    ("VISSEUSE-36V", "Tournevis électrique 3,6 V et 10 embouts", "29.99", 700),
    ("SCIE-SAUTEUSE", "Scie sauteuse 650 W pendulaire", "64.90", 2400),
    ("PONCEUSE-ORB", "Ponceuse orbitale 300 W", "49.99", 1700),
    ("NIVEAU-LASER", "Niveau laser lignes croisées", "79.00", 800),
    ("CAISSE-OUTILS", "Caisse à outils 108 pièces", "89.90", 6200),
    ("ESCABEAU-5M", "Escabeau aluminium 5 marches", "74.90", 5600),
    ("AMPOULE-LED-E27", "Lot de 6 ampoules LED E27 806 lm", "17.99", 400),
    ("MULTIPRISE-5", "Multiprise parafoudre 5 prises + 2 USB", "22.90", 500),
    ("TONDEUSE-ELEC", "Tondeuse à gazon électrique 1600 W 38 cm", "169.00", 12800),
    ("TAILLE-HAIE-SF", "Taille-haie sans fil 18 V lame 50 cm", "99.90", 2700),
    ("ARROSEUR-OSC", "Arroseur oscillant 16 buses", "19.90", 700),
    ("TUYAU-ARR-25M", "Tuyau d'arrosage 25 m avec raccords", "34.90", 3300),
    ("SALON-JARDIN-4", "Salon de jardin 4 places résine tressée", "399.00", 38000),
    ("PARASOL-3M", "Parasol déporté 3 m gris", "129.00", 14500),
    ("CASQUE-BT-ANC", "Casque Bluetooth à réduction de bruit", "129.99", 350),
    ("ECOUT-SF-TWS", "Écouteurs sans fil intra-auriculaires", "49.99", 120),
    ("ENCEINTE-BT-20", "Enceinte Bluetooth étanche 20 W", "59.90", 650),
    ("BARRE-SON-21", "Barre de son 2.1 avec caisson sans fil", "199.00", 5200),
    ("CHARGEUR-USBC-65", "Chargeur USB-C 65 W GaN", "39.90", 150),
    ("CABLE-HDMI-2M", "Câble HDMI 2.1 8K 2 m", "12.99", 120),
    ("SOURIS-SF", "Souris sans fil silencieuse", "19.90", 90),
    ("CLAVIER-AZERTY", "Clavier sans fil AZERTY français", "34.90", 550),
    ("DISQUE-SSD-1TO", "Disque SSD externe 1 To USB-C", "99.99", 80),
    ("CLE-USB-128", "Clé USB 3.2 128 Go", "15.99", 20),
    ("WEBCAM-1080", "Webcam Full HD 1080p avec micro", "44.90", 200),
    ("MONTRE-SPORT-GPS", "Montre de sport GPS cardio", "179.00", 90),
    ("BROSSE-DENTS-EL", "Brosse à dents électrique rechargeable", "59.90", 450),
    ("SECHE-CHEV-2200", "Sèche-cheveux ionique 2200 W", "39.90", 800),
    ("TAPIS-YOGA", "Tapis de yoga antidérapant 6 mm", "24.99", 1100),
    ("HALTERES-2X10", "Paire d'haltères réglables 2 x 10 kg", "69.90", 20500),
    ("GOURDE-INOX-750", "Gourde isotherme inox 750 ml", "19.90", 400),
)


def _asin(index: int) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    value = 7_300_000_000 + index * 7_919
    chars = ""
    while value:
        value, rest = divmod(value, len(alphabet))
        chars = alphabet[rest] + chars
    return ("B0" + chars.rjust(8, "0"))[:10]


def _build() -> tuple[Product, ...]:
    products = []
    for index, (sku, title, price, weight) in enumerate(_ITEMS, start=1):
        first12 = f"{EAN_COMPANY_PREFIX}{index:03d}"
        products.append(
            Product(
                sku=sku,
                ean=first12 + ean13_check_digit(first12),
                title=title,
                price=Decimal(price),
                weight_grams=weight,
                asin=_asin(index),
            )
        )
    return tuple(products)


CATALOGUE: tuple[Product, ...] = _build()
BY_SKU: dict[str, Product] = {product.sku: product for product in CATALOGUE}
