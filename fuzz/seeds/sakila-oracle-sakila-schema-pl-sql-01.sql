  BEGIN
    SELECT ACTOR_T(
      a.actor_id,
      a.first_name,
      a.last_name,
      a.last_update
    )
    BULK COLLECT INTO v_result
    FROM actor a;
    
    RETURN v_result;
  END GET_ACTORS;
  
  FUNCTION GET_CUSTOMER(p_customer_id INT) RETURN CUSTOMER_T IS
    v_result CUSTOMER_T;
  BEGIN
    SELECT CUSTOMER_T(
      c.customer_id,
      c.first_name,
      c.last_name,
      c.email,
      ADDRESS_T(
        a.address_id,
        a.address,
        a.address2,
        a.district,
        CITY_T(
          i.city_id,
          i.city,
          COUNTRY_T(
            o.country_id,
            o.country,
            o.last_update
          ),
          i.last_update
        ),
        a.postal_code,
        a.phone,
        a.last_update
      ),
      c.active,
      c.create_date,
      c.last_update
    )
    INTO v_result
    FROM customer c
    LEFT JOIN address a ON c.address_id = a.address_id
    LEFT JOIN city i ON a.city_id = i.city_id
    LEFT JOIN country o ON i.country_id = o.country_id
    WHERE c.customer_id = p_customer_id;
    
    RETURN v_result;
  END GET_CUSTOMER;
  
  FUNCTION GET_CUSTOMERS RETURN CUSTOMERS_T IS
    v_result CUSTOMERS_T;
  BEGIN
    SELECT CUSTOMER_T(
      c.customer_id,
      c.first_name,
      c.last_name,
      c.email,
      ADDRESS_T(
        a.address_id,
        a.address,
        a.address2,
        a.district,
        CITY_T(
          i.city_id,
          i.city,
          COUNTRY_T(
            o.country_id,
            o.country,
            o.last_update
          ),
          i.last_update
        ),
        a.postal_code,
        a.phone,
        a.last_update
      ),
      c.active,
      c.create_date,
      c.last_update
    )
    BULK COLLECT INTO v_result
    FROM customer c
    LEFT JOIN address a ON c.address_id = a.address_id
    LEFT JOIN city i ON a.city_id = i.city_id
    LEFT JOIN country o ON i.country_id = o.country_id;
    
    RETURN v_result;
  END GET_CUSTOMERS;
  
  FUNCTION GET_FILM(p_film_id INT) RETURN FILM_T IS
    v_result FILM_T;
  BEGIN
    SELECT FILM_T(
      f.film_id,
      f.title,
      f.description,
      f.release_year,
      NVL2(l1.language_id,
        LANGUAGE_T(
          l1.language_id,
          l1.name,
          l1.last_update
        ),
        NULL
      ),
      NVL2(l2.language_id, 
        LANGUAGE_T(
          l2.language_id,
          l2.name,
          l2.last_update
        ),
        NULL
      ),
      f.rental_duration,
      f.rental_rate,
      f.length,
      f.replacement_cost,
      f.rating,
      f.special_features,
      f.last_update
    )
    INTO v_result
    FROM film f
    LEFT JOIN language l1 ON f.language_id = l1.language_id
    LEFT JOIN language l2 ON f.original_language_id = l2.language_id
    WHERE f.film_id = p_film_id;
    
    RETURN v_result;
  END GET_FILM;
  
  FUNCTION GET_FILMS RETURN FILMS_T IS
    v_result FILMS_T;
